// Small, fast, seeded random numbers for the workload generator. Every stream
// of draws is derived from (seed, subject...) by hashing, so the generated
// organisation and events do not depend on the order in which they are made.
// Thread safety: a Rng is a plain value; share nothing.
#pragma once

#include <cmath>
#include <cstdint>

namespace exfilter::gen {

inline uint64_t Mix64(uint64_t x) {  // splitmix64 finaliser
  x += 0x9e3779b97f4a7c15ull;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}

inline uint64_t Derive(uint64_t seed, uint64_t a, uint64_t b = 0, uint64_t c = 0) {
  return Mix64(Mix64(Mix64(seed ^ Mix64(a)) ^ b) + c);
}

// xorshift-multiply generator; good enough for simulation, never for crypto.
class Rng {
 public:
  explicit Rng(uint64_t seed) : s_(Mix64(seed) | 1) {}
  uint64_t Next() {
    s_ ^= s_ >> 12;
    s_ ^= s_ << 25;
    s_ ^= s_ >> 27;
    return s_ * 0x2545f4914f6cdd1dull;
  }
  double Uniform() { return static_cast<double>(Next() >> 11) * 0x1.0p-53; }  // [0,1)
  int64_t Range(int64_t lo, int64_t hi) {  // [lo, hi]
    return lo + static_cast<int64_t>(Next() % static_cast<uint64_t>(hi - lo + 1));
  }
  bool Chance(double p) { return Uniform() < p; }
  double Normal() {  // Box-Muller, one value per call
    double u1 = Uniform() + 1e-300, u2 = Uniform();
    return std::sqrt(-2.0 * std::log(u1)) * std::cos(6.283185307179586 * u2);
  }
  double LogNormal(double median, double sigma) { return median * std::exp(sigma * Normal()); }
  int64_t Poisson(double mean) {
    if (mean <= 0) return 0;
    if (mean > 30) {
      double v = mean + std::sqrt(mean) * Normal() + 0.5;
      return v < 0 ? 0 : static_cast<int64_t>(v);
    }
    double l = std::exp(-mean), p = Uniform();
    int64_t k = 0;
    while (p > l) {
      ++k;
      p *= Uniform();
    }
    return k;
  }

 private:
  uint64_t s_;
};

}  // namespace exfilter::gen

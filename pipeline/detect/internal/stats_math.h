// The detector's arithmetic: EWMA mean/variance updates, their closed form
// across k idle (zero-count) windows, and the quasi-Poisson tail score.
// docs/detector.md derives each formula.
// Thread safety: pure functions.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace exfilter::detect_internal {

// EWMA of a window count x (mean) and of its seasonally scaled square
// x^2 / f (m2), f being the seasonal factor of the window's slot. For counts
// with mean mu*f and variance phi*mu*f, E[m2] = phi*mu + mu^2 (sum of slot
// duty * f is 1), so the dispersion is phi = (m2 - mean^2) / mean.
struct Ewma {
  float mean = 0;
  float m2 = 0;
};

inline void EwmaUpdate(Ewma& e, double x, double f, double alpha) {
  e.mean = static_cast<float>(e.mean + alpha * (x - e.mean));
  e.m2 = static_cast<float>(e.m2 + alpha * (x * x / f - e.m2));
}

// EwmaUpdate(e, 0, f, alpha) for any f: alpha * (0 - m) is -(alpha * m)
// exactly (the sign of a zero product cannot change m + it), so one
// subtraction fewer on the chain of empty windows; bit-identical results.
inline void EwmaDecayStep(Ewma& e, double alpha) {
  const double mean = e.mean, m2 = e.m2;
  e.mean = static_cast<float>(mean - alpha * mean);
  e.m2 = static_cast<float>(m2 - alpha * m2);
}

// k windows with count 0, in closed form (a = 1 - alpha): both moments are
// multiplied by a^k, so the variance m2 - mean^2 becomes
//   v_k = a^k m2_0 - a^(2k) mean_0^2.
inline void EwmaDecayIdle(Ewma& e, int64_t k, double log_a) {
  if (k <= 0) return;
  double ak = std::exp(static_cast<double>(k) * log_a);
  e.mean = static_cast<float>(ak * e.mean);
  e.m2 = static_cast<float>(ak * e.m2);
}

// exp(n * log_a / divisor) for n in [0, size): the closed-form decay factors
// of idle runs, looked up instead of calling exp per event. Entries are
// computed with the same expression, so results are bit-identical to the
// direct call (which is still used beyond the table).
class DecayTable {
 public:
  void Build(double log_a, double divisor, size_t size) {
    log_a_ = log_a;
    divisor_ = divisor;
    table_.resize(size);
    for (size_t n = 0; n < size; ++n) table_[n] = Direct(static_cast<int64_t>(n));
  }
  double operator()(int64_t n) const {
    return static_cast<uint64_t>(n) < table_.size() ? table_[static_cast<size_t>(n)] : Direct(n);
  }

 private:
  double Direct(int64_t n) const { return std::exp(static_cast<double>(n) * log_a_ / divisor_); }
  double log_a_ = 0, divisor_ = 1;
  std::vector<double> table_;
};

// EwmaDecayIdle with the factor a^k from a DecayTable built with log_a.
inline void EwmaDecayIdle(Ewma& e, int64_t k, const DecayTable& decay) {
  if (k <= 0) return;
  double ak = decay(k);
  e.mean = static_cast<float>(ak * e.mean);
  e.m2 = static_cast<float>(ak * e.m2);
}

// Index of dispersion phi >= 1 from bias-corrected moments.
inline double Dispersion(double mean, double m2) {
  if (mean <= 0) return 1.0;
  return std::max(1.0, (m2 - mean * mean) / mean);
}

inline constexpr double kLn10 = 2.302585092994046;

// Quasi-Poisson upper-tail score in log10 units: the Chernoff bound
//   P(X >= x) <= exp(-(x ln(x/mu) - x + mu))  for a Poisson(mu) count,
// divided by the dispersion phi = max(1, var/mu) (over-dispersed users get
// proportionally less surprise). 0 when x <= mu.
inline double TailScore(double x, double mu, double var) {
  if (x <= mu) return 0.0;
  double phi = std::max(1.0, var / mu);
  double nats = x * std::log(x / mu) - x + mu;
  return nats / (phi * kLn10);
}

// Mixes two 64-bit keys that are already hashes (murmur3 finalizer): cheap,
// stable across runs and machines, used for sketch positions and sub-keys.
inline uint64_t Mix(uint64_t a, uint64_t b) {
  uint64_t h = a ^ (b + 0x9e3779b97f4a7c15ULL + (a << 6) + (a >> 2));
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdULL;
  h ^= h >> 33;
  h *= 0xc4ceb9fe1a85ec53ULL;
  h ^= h >> 33;
  return h;
}

// The count x > mu at which TailScore(x, mu, var) reaches `score` (Newton on
// x ln(x/mu) - x + mu = score * phi * ln 10, from a Gaussian-ish start).
inline double ThresholdCount(double mu, double var, double score) {
  double phi = std::max(1.0, var / mu);
  double target = score * phi * kLn10;
  double x = mu + std::sqrt(2.0 * mu * target) + target / 3.0;
  for (int i = 0; i < 6; ++i) {
    double g = x * std::log(x / mu) - x + mu - target;
    double dg = std::log(x / mu);
    if (dg <= 1e-12) break;
    x = std::max(mu * 1.0001, x - g / dg);
  }
  return x;
}

inline int64_t FloorDiv(int64_t a, int64_t b) {
  int64_t q = a / b;
  return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}

// Floor division and modulo by a divisor d > 0 fixed at run time (window
// lengths, windows per week), without a hardware divide on the hot path:
// q = (a * M) >> 64 with M = floor((2^64 - 1) / d) + 1 is exact for
// 0 <= a < 2^64 / d (the error a (M d - 2^64) / 2^64 < a d / 2^64 < 1 never
// carries past the next multiple of d). Other a, and d = 1, use FloorDiv.
class FastDiv {
 public:
  FastDiv() = default;
  explicit FastDiv(int64_t d)
      : d_(d),
        m_(d > 1 ? UINT64_MAX / static_cast<uint64_t>(d) + 1 : 0),
        limit_(d > 1 ? UINT64_MAX / static_cast<uint64_t>(d) : 0) {}
  int64_t Floor(int64_t a) const {
    if (static_cast<uint64_t>(a) < limit_) {
      return static_cast<int64_t>((static_cast<unsigned __int128>(a) * m_) >> 64);
    }
    return FloorDiv(a, d_);
  }
  int64_t Mod(int64_t a) const { return a - Floor(a) * d_; }  // in [0, d)
  int64_t divisor() const { return d_; }

 private:
  int64_t d_ = 1;
  uint64_t m_ = 0;
  uint64_t limit_ = 0;
};

}  // namespace exfilter::detect_internal

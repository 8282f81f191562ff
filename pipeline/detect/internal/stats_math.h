// The detector's arithmetic: EWMA mean/variance updates, their closed form
// across k idle (zero-count) windows, and the quasi-Poisson tail score.
// docs/detector.md derives each formula.
// Thread safety: pure functions.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>

namespace exfilter::detect_internal {

struct Ewma {
  float mean = 0;
  float var = 0;
};

// One window with count x: West's incremental EWMA with weight alpha.
inline void EwmaUpdate(Ewma& e, double x, double alpha) {
  double d = x - e.mean;
  double m = e.mean + alpha * d;
  double v = (1.0 - alpha) * (e.var + alpha * d * d);
  e.mean = static_cast<float>(m);
  e.var = static_cast<float>(v);
}

// k windows with count 0, in closed form (a = 1 - alpha):
//   m_k = a^k m_0,   v_k = a^k (v_0 + m_0^2 (1 - a^k)).
inline void EwmaDecayIdle(Ewma& e, int64_t k, double log_a) {
  if (k <= 0) return;
  double ak = std::exp(static_cast<double>(k) * log_a);
  double m0 = e.mean;
  e.var = static_cast<float>(ak * (e.var + m0 * m0 * (1.0 - ak)));
  e.mean = static_cast<float>(ak * m0);
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

inline int64_t FloorDiv(int64_t a, int64_t b) {
  int64_t q = a / b;
  return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}

}  // namespace exfilter::detect_internal

// The p-value behind the spike-and-dip detector: how likely a value is under a Gaussian
// kernel density estimate built from a history of past values.
//
// The method is the one of ML.NET's IID spike detector (dotnet/machinelearning,
// SequentialAnomalyDetectionTransformBase.cs, ComputeKernelPValue), which is the open
// counterpart of Azure Stream Analytics' AnomalyDetection_SpikeAndDip. Restated:
//
//   bandwidth  h = sqrt(2) * sigma, where sigma is the population standard deviation of
//              the history (n >= 2 values), sigma = 1 for a single value; h is never
//              below a floor (ML.NET: 1e-6), so a flat history gives a very narrow kernel.
//              ML.NET keeps sigma as a running sum of squared pairwise distances,
//              S = sum over pairs (x_i - x_j)^2, and uses sqrt(S) / n; since
//              S = n * sum (x_i - mean)^2 that is the same sigma. We recompute it from
//              the history each time (exact, no drift over long runs).
//   p-value    p(x) = 1/2 - 1/(2n) * sum_i erf((x - x_i) / h)
//                   = 1/n * sum_i P(X_i >= x), X_i ~ Normal(x_i, sigma^2):
//              the upper tail of the kernel density at x. Small for values above the
//              history (spikes), near 1 for values below it (dips). 1/2 when the history
//              is empty.
//
// erf is evaluated with the rational approximation of Abramowitz and Stegun (Handbook of
// Mathematical Functions, formula 7.1.26; absolute error at most 1.5e-7), the one ML.NET
// uses, so that our scores equal ML.NET's to rounding rather than to 1e-7. The error is
// far below any threshold a confidence setting can produce (>= 1e-4 for confidence
// <= 99.99).
//
// Pure functions; any thread.
#pragma once

#include <span>

namespace dtwin::core::detectors {

/// ML.NET's bandwidth floor: a flat history still yields a usable (very narrow) kernel.
inline constexpr double k_default_min_bandwidth = 1e-6;

/// erf(x) by Abramowitz and Stegun 7.1.26: |approximate_erf(x) - erf(x)| <= 1.5e-7.
/// Odd, returns +-1 for +-infinity and NaN for NaN. approximate_erf(0) is about 1e-9, not
/// 0 (the approximation's own error): a value equal to every history value scores
/// 0.4999999995, not 0.5, in ML.NET as here.
[[nodiscard]] double approximate_erf(double x) noexcept;

/// The kernel bandwidth h for @p history: sqrt(2) times the population standard
/// deviation for two or more values, sqrt(2) for one value, and never less than
/// @p min_bandwidth. For an empty history it returns @p min_bandwidth (unused: the
/// p-value of an empty history is fixed).
/// @pre every value in @p history is finite.
[[nodiscard]] double kernel_bandwidth(std::span<const double> history, double min_bandwidth) noexcept;

/// The upper-tail p-value of @p value against @p history (formula in the file comment),
/// in [0, 1]; 0.5 for an empty history. Not clamped: callers apply the side (spikes,
/// dips, both) and ML.NET's clamp to [1e-8, 1 - 1e-8].
/// @pre @p value and every value in @p history are finite; min_bandwidth > 0.
[[nodiscard]] double kernel_upper_tail_p_value(std::span<const double> history, double value,
                                               double min_bandwidth = k_default_min_bandwidth) noexcept;

} // namespace dtwin::core::detectors

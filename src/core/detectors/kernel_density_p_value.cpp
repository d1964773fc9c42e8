#include "core/detectors/kernel_density_p_value.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>

namespace dtwin::core::detectors {

double approximate_erf(double x) noexcept {
    if (std::isinf(x)) {
        return x > 0 ? 1.0 : -1.0;
    }
    // Abramowitz and Stegun 7.1.26: erf(z) ~ 1 - t (a1 + t (a2 + t (a3 + t (a4 + t a5)))) e^(-z^2),
    // t = 1 / (1 + p z), for z >= 0; odd symmetry for z < 0.
    constexpr double k_p = 0.3275911;
    constexpr double k_a1 = 0.254829592;
    constexpr double k_a2 = -0.284496736;
    constexpr double k_a3 = 1.421413741;
    constexpr double k_a4 = -1.453152027;
    constexpr double k_a5 = 1.061405429;
    const double z = std::fabs(x);
    const double t = 1.0 / (1.0 + k_p * z);
    const double polynomial = ((((k_a5 * t + k_a4) * t + k_a3) * t + k_a2) * t + k_a1) * t;
    const double magnitude = 1.0 - polynomial * std::exp(-(z * z));
    // x >= 0 rather than signbit: erf(-0) takes the positive branch, as ML.NET's does.
    return x >= 0 ? magnitude : -magnitude;
}

double kernel_bandwidth(std::span<const double> history, double min_bandwidth) noexcept {
    const auto n = static_cast<double>(history.size());
    double sigma = 1.0; // a single value: unit spread, as ML.NET
    if (history.size() >= 2) {
        double sum = 0.0;
        for (const double v : history) {
            sum += v;
        }
        const double mean = sum / n;
        double squares = 0.0;
        for (const double v : history) {
            squares += (v - mean) * (v - mean);
        }
        sigma = std::sqrt(squares / n);
    } else if (history.empty()) {
        return min_bandwidth;
    }
    return std::max(std::numbers::sqrt2 * sigma, min_bandwidth);
}

double kernel_upper_tail_p_value(std::span<const double> history, double value, double min_bandwidth) noexcept {
    if (history.empty()) {
        return 0.5;
    }
    const double bandwidth = kernel_bandwidth(history, min_bandwidth);
    double sum = 0.0;
    for (const double past : history) {
        sum += approximate_erf((value - past) / bandwidth);
    }
    return 0.5 - sum / (2.0 * static_cast<double>(history.size()));
}

} // namespace dtwin::core::detectors

#pragma once
#include <cstdint>

namespace hotplug {

// Fused forward and backward kernels of the transformer ops in src/ops (one pass over the
// data instead of a dozen tfjs ops, each of which allocates and streams its output).

// y = (x - mean) * rstd * gamma + beta over rows of length cols; also writes mean and rstd
// per row (the backward pass reuses them).
void layer_norm_forward(const float* x, const float* gamma, const float* beta, float* y, float* mean, float* rstd,
                        int64_t rows, int64_t cols, float epsilon);
// dx = rstd (g - mean(g) - xhat mean(g xhat)) with g = dy gamma; dgamma = sum dy xhat,
// dbeta = sum dy over rows (summed in a fixed order: bit-identical for any thread count).
void layer_norm_backward(const float* dy, const float* x, const float* gamma, const float* mean, const float* rstd,
                         float* dx, float* dgamma, float* dbeta, int64_t rows, int64_t cols);

enum GeluKind : int { kGeluErf = 0, kGeluQuick = 1 };
// kGeluErf: x Phi(x); kGeluQuick: x sigmoid(1.702 x) (OpenAI CLIP).
void gelu_forward(int kind, const float* x, float* y, int64_t n);
void gelu_backward(int kind, const float* x, const float* dy, float* dx, int64_t n);

}  // namespace hotplug

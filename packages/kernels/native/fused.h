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

// One Adam step (tfjs' AdamOptimizer's formula and order of operations), written to new
// arrays: m' = b1 m + (1 - b1) g, v' = b2 v + (1 - b2) g^2,
// value' = value - lr (m' / c1) / (sqrt(v' / c2) + eps) with c1, c2 the bias corrections.
void adam_update(const float* value, const float* m, const float* v, const float* g, float* value_out, float* m_out, float* v_out,
                 int64_t n, float lr, float beta1, float beta2, float epsilon, float c1, float c2);

// Mean over rows of -sum_c y log_softmax(z): z, y [rows, classes]; writes logp (saved for the
// backward pass) and returns the loss.
float softmax_xent_forward(const float* z, const float* y, float* logp, int64_t rows, int64_t classes);
// dz = (exp(logp) rowsum(y) - y) dy / rows (rows of y need not sum to 1); dy_table = -logp dy / rows.
void softmax_xent_backward(float dy, const float* logp, const float* y, float* dz, float* dtable, int64_t rows, int64_t classes);

}  // namespace hotplug

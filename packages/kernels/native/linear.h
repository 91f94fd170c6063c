#pragma once
#include <cstdint>

namespace hotplug {

// y = act(x W + b): x [rows, in], W [in, out], b [out] or null. act: -1 none, else a GeluKind
// (fused.h). z (pre-activation, [rows, out]) is written when act >= 0, for the backward pass.
void linear_forward(const float* x, const float* w, const float* b, float* y, float* z, int64_t rows, int64_t in, int64_t out, int act);
// dZ = dy act'(z) (dy itself when act < 0); dx = dZ W^T, dW = x^T dZ, db = column sums of dZ (if db).
void linear_backward(const float* dy, const float* x, const float* w, const float* z, float* dx, float* dw, float* db, int64_t rows,
                     int64_t in, int64_t out, int act);

}  // namespace hotplug

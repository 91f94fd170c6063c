// Dense layer with its epilogue: the GEMM writes the product, then the bias and the activation
// are applied to it in the same kernel call (no separate tfjs Add / GELU ops and outputs).
#include "linear.h"

#include <vector>

#include "fused.h"
#include "gemm.h"
#include "ops.h"
#include "simd.h"
#include "thread_pool.h"

namespace hotplug {
void linear_forward(const float* x, const float* w, const float* b, float* y, float* z, int64_t rows, int64_t in, int64_t out, int act) {
  float* pre = act >= 0 ? z : y;
  gemm(single_product(x, w, pre, rows, out, in, false, false));
  if (b != nullptr) {
    parallel_range(rows, std::max<int64_t>(1, (1 << 15) / std::max<int64_t>(out, 1)), [&](int64_t r0, int64_t r1) {
      for (int64_t r = r0; r < r1; r++) simd().binary(kAdd, pre + r * out, 1, b, 1, pre + r * out, out);
    });
  }
  if (act >= 0) gelu_forward(act, z, y, rows * out);
}

void linear_backward(const float* dy, const float* x, const float* w, const float* z, float* dx, float* dw, float* db, int64_t rows,
                     int64_t in, int64_t out, int act) {
  std::vector<float> scratch;
  const float* dz = dy;
  if (act >= 0) {
    scratch.resize(static_cast<size_t>(rows * out));
    gelu_backward(act, z, dy, scratch.data(), rows * out);
    dz = scratch.data();
  }
  gemm(single_product(dz, w, dx, rows, in, out, false, true));
  gemm(single_product(x, dz, dw, in, out, rows, true, false));
  if (db != nullptr) reduce_leading(kSum, dz, db, rows, out);
}

}  // namespace hotplug

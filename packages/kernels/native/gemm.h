#pragma once
#include <cstdint>

namespace hotplug {

// One batched product C[b] = op(A[b]) * op(B[b]), row-major, op = optional transpose.
struct GemmProblem {
  const float* a;
  const float* b;
  float* c;
  int64_t batch, a_batch_stride, b_batch_stride;  // stride 0 broadcasts one matrix
  int64_t m, n, k;
  bool transpose_a, transpose_b;
};

// One (unbatched) product C = op(A) op(B), the shape the fused kernels hand to gemm / gemm_serial.
inline GemmProblem single_product(const float* a, const float* b, float* c, int64_t m, int64_t n, int64_t k, bool ta, bool tb) {
  GemmProblem g{};
  g.a = a;
  g.b = b;
  g.c = c;
  g.batch = 1;
  g.m = m;
  g.n = n;
  g.k = k;
  g.transpose_a = ta;
  g.transpose_b = tb;
  return g;
}

void gemm(const GemmProblem& p);
// The same product on the calling thread only: for kernels that already run inside the
// thread pool (a nested parallel_for would wait on the workers it is running on).
void gemm_serial(const GemmProblem& p);

}  // namespace hotplug

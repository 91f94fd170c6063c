// Fused attention: one task per (batch, head) pair runs both products and the softmax while
// that pair's K and V stay in cache, instead of four tfjs ops each streaming the whole
// [batch, heads, tq, tk] score tensor through memory. The forward pass walks the queries in
// blocks of kQueryBlock rows, so the score block stays in L1/L2 however many keys there are.
#include "attention.h"

#include <algorithm>
#include <vector>

#include "gemm.h"
#include "simd.h"
#include "thread_pool.h"

namespace hotplug {
namespace {

constexpr int64_t kQueryBlock = 64;

}  // namespace

void attention_forward(const float* q, const float* k, const float* v, float* out, float* p, int64_t pairs, int64_t tq, int64_t tk,
                       int64_t d, int64_t dv, float scale, bool causal) {
  if (pairs == 0 || tq == 0) return;
  const SimdKernels& kern = simd();
  pool().parallel_for(pairs, [&](int64_t pair) {
    const float* qp = q + pair * tq * d;
    const float* kp = k + pair * tk * d;
    const float* vp = v + pair * tk * dv;
    float* pp = p + pair * tq * tk;
    float* op = out + pair * tq * dv;
    for (int64_t r0 = 0; r0 < tq; r0 += kQueryBlock) {
      const int64_t rows = std::min(kQueryBlock, tq - r0);
      float* s = pp + r0 * tk;  // the scores are computed in place of their probabilities
      gemm_serial(single_product(qp + r0 * d, kp, s, rows, tk, d, false, true));
      for (int64_t i = 0; i < rows; i++) {
        float* row = s + i * tk;
        for (int64_t j = 0; j < tk; j++) row[j] *= scale;
        if (causal)
          for (int64_t j = r0 + i + 1; j < tk; j++) row[j] += -1e9f;
      }
      if (tk > 0) kern.softmax_rows(s, s, rows, tk);
      gemm_serial(single_product(s, vp, op + r0 * dv, rows, dv, tk, false, false));
    }
  });
}

void attention_backward(const float* dout, const float* q, const float* k, const float* v, const float* p, float* dq, float* dk,
                        float* dvv, int64_t pairs, int64_t tq, int64_t tk, int64_t d, int64_t dv, float scale) {
  if (pairs == 0) return;
  pool().parallel_for(pairs, [&](int64_t pair) {
    const float* dop = dout + pair * tq * dv;
    const float* qp = q + pair * tq * d;
    const float* kp = k + pair * tk * d;
    const float* vp = v + pair * tk * dv;
    const float* pp = p + pair * tq * tk;
    thread_local std::vector<float> ds;
    ds.resize(static_cast<size_t>(tq * tk));
    // dV = P^T dOut
    gemm_serial(single_product(pp, dop, dvv + pair * tk * dv, tk, dv, tq, true, false));
    // dP = dOut V^T, then dS = scale * P (dP - rowsum(dP P)) in place
    gemm_serial(single_product(dop, vp, ds.data(), tq, tk, dv, false, true));
    for (int64_t i = 0; i < tq; i++) {
      float* row = ds.data() + i * tk;
      const float* prow = pp + i * tk;
      float dot = 0.0f;
      for (int64_t j = 0; j < tk; j++) dot += row[j] * prow[j];
      for (int64_t j = 0; j < tk; j++) row[j] = scale * prow[j] * (row[j] - dot);
    }
    gemm_serial(single_product(ds.data(), kp, dq + pair * tq * d, tq, d, tk, false, false));
    gemm_serial(single_product(ds.data(), qp, dk + pair * tk * d, tk, d, tq, true, false));
  });
}

}  // namespace hotplug

#pragma once
#include <cstdint>

namespace hotplug {

// Scaled dot-product attention for `pairs` independent (batch, head) pairs, row-major:
// q [pairs, tq, d], k [pairs, tk, d], v [pairs, tk, dv] -> out [pairs, tq, dv] and the
// probabilities p [pairs, tq, tk] (saved for the backward pass). causal adds -1e9 to the
// scores of keys after the query (as the tfjs composition does).
void attention_forward(const float* q, const float* k, const float* v, float* out, float* p, int64_t pairs, int64_t tq, int64_t tk,
                       int64_t d, int64_t dv, float scale, bool causal);
// dq = scale dS k, dk = scale dS^T q, dv = p^T dout with dS = p (dP - rowsum(dP p)), dP = dout v^T.
void attention_backward(const float* dout, const float* q, const float* k, const float* v, const float* p, float* dq, float* dk,
                        float* dvv, int64_t pairs, int64_t tq, int64_t tk, int64_t d, int64_t dv, float scale);

}  // namespace hotplug

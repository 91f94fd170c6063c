#pragma once
#include <cstdint>
#include <vector>

namespace hotplug {

// out = a (op) b over out_shape; strides are in elements, 0 where an operand broadcasts.
void binary_broadcast(int op, const float* a, const float* b, float* out, const std::vector<int64_t>& shape,
                      const std::vector<int64_t>& a_strides, const std::vector<int64_t>& b_strides);
void unary(int op, const float* x, float* out, int64_t n);
// Permutes 4-byte elements: out dimension i is input dimension perm[i].
void transpose(const float* x, float* out, const std::vector<int64_t>& shape, const std::vector<int64_t>& perm);
void softmax(const float* x, float* out, int64_t rows, int64_t cols);
void reduce_last(int op, const float* x, float* out, int64_t rows, int64_t cols);
void reduce_leading(int op, const float* x, float* out, int64_t rows, int64_t cols);
void segment_sum(const float* x, const int32_t* ids, float* out, int64_t rows, int64_t inner, int64_t segments);

}  // namespace hotplug

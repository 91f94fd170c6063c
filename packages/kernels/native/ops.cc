// Drivers for the non-GEMM kernels: shape bookkeeping and threading here, the vectorised
// inner loops in the SIMD table.
#include "ops.h"

#include <algorithm>
#include <cstring>
#include <limits>

#include "simd.h"
#include "thread_pool.h"

namespace hotplug {
namespace {

// Elementwise work below this many elements per thread is not worth a wake-up.
constexpr int64_t kMinChunk = 1 << 15;

// Merges neighbouring dimensions that both operands walk contiguously (or both broadcast),
// so e.g. same-shape operands become one flat loop. Size-1 dimensions are dropped.
void collapse(std::vector<int64_t>& shape, std::vector<int64_t>& sa, std::vector<int64_t>& sb) {
  std::vector<int64_t> s2, a2, b2;
  for (size_t i = 0; i < shape.size(); i++) {
    if (shape[i] == 1) continue;
    if (!s2.empty() && a2.back() == sa[i] * shape[i] && b2.back() == sb[i] * shape[i]) {
      s2.back() *= shape[i];
      a2.back() = sa[i];
      b2.back() = sb[i];
    } else {
      s2.push_back(shape[i]);
      a2.push_back(sa[i]);
      b2.push_back(sb[i]);
    }
  }
  if (s2.empty()) s2 = {1}, a2 = {0}, b2 = {0};
  shape.swap(s2);
  sa.swap(a2);
  sb.swap(b2);
}

}  // namespace

void binary_broadcast(int op, const float* a, const float* b, float* out, const std::vector<int64_t>& out_shape,
                      const std::vector<int64_t>& a_strides, const std::vector<int64_t>& b_strides) {
  std::vector<int64_t> shape = out_shape, sa = a_strides, sb = b_strides;
  collapse(shape, sa, sb);
  const int rank = static_cast<int>(shape.size());
  const int64_t inner = shape[rank - 1];
  const int64_t ia = sa[rank - 1], ib = sb[rank - 1];
  int64_t outer = 1;
  for (int d = 0; d < rank - 1; d++) outer *= shape[d];
  const SimdKernels& kern = simd();
  if (ia > 1 || ib > 1) {
    // The innermost dimension is strided for one operand (cannot happen after collapse for
    // row-major inputs, kept for safety): plain scalar loop.
    for (int64_t o = 0; o < outer * inner; o++) {
      int64_t rem = o, oa = 0, ob = 0;
      for (int d = rank - 1; d >= 0; d--) {
        const int64_t idx = rem % shape[d];
        rem /= shape[d];
        oa += idx * sa[d];
        ob += idx * sb[d];
      }
      kern.binary(op, a + oa, 0, b + ob, 0, out + o, 1);
    }
    return;
  }
  const int64_t min_rows = std::max<int64_t>(1, kMinChunk / std::max<int64_t>(inner, 1));
  parallel_range(outer, min_rows, [&](int64_t begin, int64_t end) {
    // Odometer over the outer dimensions, started at `begin`.
    std::vector<int64_t> idx(rank, 0);
    int64_t rem = begin, oa = 0, ob = 0;
    for (int d = rank - 2; d >= 0; d--) {
      idx[d] = rem % shape[d];
      rem /= shape[d];
      oa += idx[d] * sa[d];
      ob += idx[d] * sb[d];
    }
    for (int64_t o = begin; o < end; o++) {
      kern.binary(op, a + oa, ia, b + ob, ib, out + o * inner, inner);
      for (int d = rank - 2; d >= 0; d--) {
        oa += sa[d];
        ob += sb[d];
        if (++idx[d] < shape[d]) break;
        oa -= sa[d] * shape[d];
        ob -= sb[d] * shape[d];
        idx[d] = 0;
      }
    }
  });
}

void unary(int op, const float* x, float* out, int64_t n) {
  const SimdKernels& kern = simd();
  parallel_range(n, kMinChunk / 4, [&](int64_t begin, int64_t end) { kern.unary(op, x + begin, out + begin, end - begin); });
}

void transpose(const float* x, float* out, const std::vector<int64_t>& in_shape, const std::vector<int64_t>& in_perm) {
  // Drop size-1 dimensions and merge input dimensions that stay adjacent in the output.
  std::vector<int64_t> keep;
  for (size_t i = 0; i < in_shape.size(); i++)
    if (in_shape[i] != 1) keep.push_back(static_cast<int64_t>(i));
  std::vector<int64_t> perm0;  // perm restricted to kept dims, in input-dimension ids
  for (int64_t p : in_perm)
    if (in_shape[p] != 1) perm0.push_back(p);
  int64_t total = 1;
  for (int64_t s : in_shape) total *= s;
  if (total == 0) return;
  if (perm0.size() <= 1) {
    std::memcpy(out, x, total * sizeof(float));
    return;
  }
  // Groups: runs of consecutive input dims appearing consecutively in the output.
  std::vector<std::vector<int64_t>> groups;
  for (int64_t p : perm0) {
    if (!groups.empty()) {
      const int64_t last = groups.back().back();
      const auto next_kept = std::upper_bound(keep.begin(), keep.end(), last);
      if (next_kept != keep.end() && *next_kept == p) {
        groups.back().push_back(p);
        continue;
      }
    }
    groups.push_back({p});
  }
  // Each group becomes one dimension; order groups by input position to get the new shape.
  std::vector<size_t> order(groups.size());
  for (size_t i = 0; i < order.size(); i++) order[i] = i;
  std::sort(order.begin(), order.end(), [&](size_t l, size_t r) { return groups[l][0] < groups[r][0]; });
  const int rank = static_cast<int>(groups.size());
  std::vector<int64_t> shape(rank), in_stride(rank), perm(rank);
  std::vector<int64_t> input_pos(groups.size());
  for (int i = 0; i < rank; i++) {
    int64_t size = 1;
    for (int64_t d : groups[order[i]]) size *= in_shape[d];
    shape[i] = size;
    input_pos[order[i]] = i;
  }
  for (int i = rank - 1, s = 1; i >= 0; i--) {
    in_stride[i] = s;
    s *= shape[i];
  }
  for (int i = 0; i < rank; i++) perm[i] = input_pos[i];  // output dim i = input dim perm[i]
  if (rank == 1) {
    std::memcpy(out, x, total * sizeof(float));
    return;
  }
  std::vector<int64_t> out_shape(rank), out_stride(rank);
  for (int i = 0; i < rank; i++) out_shape[i] = shape[perm[i]];
  for (int i = rank - 1, s = 1; i >= 0; i--) {
    out_stride[i] = s;
    s *= out_shape[i];
  }
  // Two special dimensions: the input's contiguous one (rank-1) and the output's (perm[rank-1]).
  // All others are walked by an odometer; these two form a tiled 2-D transpose.
  const int64_t din = rank - 1;
  const int64_t dout = perm[rank - 1];
  int64_t din_out_pos = 0;
  for (int i = 0; i < rank; i++)
    if (perm[i] == din) din_out_pos = i;
  if (dout == din) {
    // The contiguous dimension stays last: copy whole runs.
    const int64_t run = shape[din];
    std::vector<int64_t> dst_stride(rank);
    for (int i = 0; i < rank; i++) dst_stride[perm[i]] = out_stride[i];
    parallel_range(total / run, std::max<int64_t>(1, kMinChunk / run), [&](int64_t begin, int64_t end) {
      for (int64_t o = begin; o < end; o++) {
        int64_t rem = o, dst = 0;
        for (int d = rank - 2; d >= 0; d--) {
          dst += (rem % shape[d]) * dst_stride[d];
          rem /= shape[d];
        }
        std::memcpy(out + dst, x + o * run, run * sizeof(float));
      }
    });
    return;
  }
  const int64_t rows = shape[dout], cols = shape[din];
  const int64_t src_row_stride = in_stride[dout];
  const int64_t dst_col_stride = out_stride[din_out_pos];
  std::vector<int64_t> others;  // input dims other than din and dout
  for (int d = 0; d < rank; d++)
    if (d != din && d != dout) others.push_back(d);
  std::vector<int64_t> dst_stride_of(rank);
  for (int i = 0; i < rank; i++) dst_stride_of[perm[i]] = out_stride[i];
  int64_t outer = 1;
  for (int64_t d : others) outer *= shape[d];

  const int64_t block = 16;
  parallel_range(outer, std::max<int64_t>(1, kMinChunk / (rows * cols)), [&](int64_t begin, int64_t end) {
    for (int64_t o = begin; o < end; o++) {
      int64_t rem = o, src = 0, dst = 0;
      for (int i = static_cast<int>(others.size()) - 1; i >= 0; i--) {
        const int64_t d = others[i];
        const int64_t idx = rem % shape[d];
        rem /= shape[d];
        src += idx * in_stride[d];
        dst += idx * dst_stride_of[d];
      }
      // out[dst + c * dst_col_stride + r] = x[src + r * src_row_stride + c]
      for (int64_t r0 = 0; r0 < rows; r0 += block)
        for (int64_t c0 = 0; c0 < cols; c0 += block) {
          const int64_t r1 = std::min(rows, r0 + block), c1 = std::min(cols, c0 + block);
          for (int64_t c = c0; c < c1; c++) {
            float* o_ptr = out + dst + c * dst_col_stride;
            const float* i_ptr = x + src + c;
            for (int64_t r = r0; r < r1; r++) o_ptr[r] = i_ptr[r * src_row_stride];
          }
        }
    }
  });
}

void softmax(const float* x, float* out, int64_t rows, int64_t cols) {
  const SimdKernels& kern = simd();
  parallel_range(rows, std::max<int64_t>(1, kMinChunk / 4 / std::max<int64_t>(cols, 1)),
                 [&](int64_t begin, int64_t end) { kern.softmax_rows(x + begin * cols, out + begin * cols, end - begin, cols); });
}

void reduce_last(int op, const float* x, float* out, int64_t rows, int64_t cols) {
  const SimdKernels& kern = simd();
  parallel_range(rows, std::max<int64_t>(1, kMinChunk / std::max<int64_t>(cols, 1)),
                 [&](int64_t begin, int64_t end) { kern.reduce_rows(op, x + begin * cols, out + begin, end - begin, cols); });
}

void reduce_leading(int op, const float* x, float* out, int64_t rows, int64_t cols) {
  const SimdKernels& kern = simd();
  // Threads take column ranges so each writes its own part of `out`.
  const int64_t min_cols = std::max<int64_t>(64, kMinChunk / std::max<int64_t>(rows, 1));
  parallel_range(cols, min_cols, [&](int64_t begin, int64_t end) {
    const int64_t width = end - begin;
    if (rows == 0) {
      const float init = op == kMax ? -std::numeric_limits<float>::infinity() : op == kMean ? std::numeric_limits<float>::quiet_NaN() : 0.0f;
      std::fill(out + begin, out + end, init);
      return;
    }
    std::memcpy(out + begin, x + begin, width * sizeof(float));
    for (int64_t r = 1; r < rows; r++) {
      if (op == kMax) kern.max_into(out + begin, x + r * cols + begin, width);
      else kern.add_into(out + begin, x + r * cols + begin, width);
    }
    if (op == kMean) {
      const float inv = 1.0f / static_cast<float>(rows);
      for (int64_t c = begin; c < end; c++) out[c] *= inv;
    }
  });
}

void segment_sum(const float* x, const int32_t* ids, float* out, int64_t rows, int64_t inner, int64_t segments) {
  const SimdKernels& kern = simd();
  std::fill(out, out + segments * inner, 0.0f);
  // Column ranges per thread: no two threads touch the same output element.
  parallel_range(inner, std::max<int64_t>(64, kMinChunk / std::max<int64_t>(rows, 1)), [&](int64_t begin, int64_t end) {
    for (int64_t r = 0; r < rows; r++) {
      const int64_t id = ids[r];
      if (id < 0 || id >= segments) continue;  // dropped, as in tf.unsortedSegmentSum
      kern.add_into(out + id * inner + begin, x + r * inner + begin, end - begin);
    }
  });
}

}  // namespace hotplug

// Fused LayerNorm and GELU kernels. Transcendentals go through the SIMD table's vectorised
// unary loop, on stack chunks that stay in L1; the rest are plain loops the compiler
// vectorises for the baseline target (they are bound by memory traffic, not arithmetic).
#include "fused.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "simd.h"
#include "thread_pool.h"

namespace hotplug {
namespace {

constexpr int64_t kChunk = 1024;           // elements per stack buffer
constexpr int64_t kMinElements = 1 << 14;  // below this per thread, stay on the caller
constexpr int64_t kGradRowBlock = 64;      // rows per partial dgamma/dbeta sum (fixed: deterministic)

int64_t min_rows(int64_t cols) { return std::max<int64_t>(1, kMinElements / std::max<int64_t>(cols, 1)); }

}  // namespace

void layer_norm_forward(const float* x, const float* gamma, const float* beta, float* y, float* mean, float* rstd,
                        int64_t rows, int64_t cols, float epsilon) {
  parallel_range(rows, min_rows(cols), [&](int64_t r0, int64_t r1) {
    for (int64_t r = r0; r < r1; r++) {
      const float* xr = x + r * cols;
      float* yr = y + r * cols;
      // Two passes (mean, then centred variance) in float32 with 8 partial sums, as the
      // composition of tfjs ops computes it, without its cancellation-prone E[x^2] - E[x]^2.
      float s[8] = {0};
      int64_t i = 0;
      for (; i + 8 <= cols; i += 8)
        for (int l = 0; l < 8; l++) s[l] += xr[i + l];
      float sum = 0.0f;
      for (int l = 0; l < 8; l++) sum += s[l];
      for (; i < cols; i++) sum += xr[i];
      const float m = cols > 0 ? sum / static_cast<float>(cols) : 0.0f;
      float v[8] = {0};
      i = 0;
      for (; i + 8 <= cols; i += 8)
        for (int l = 0; l < 8; l++) v[l] += (xr[i + l] - m) * (xr[i + l] - m);
      float var = 0.0f;
      for (int l = 0; l < 8; l++) var += v[l];
      for (; i < cols; i++) var += (xr[i] - m) * (xr[i] - m);
      const float rs = 1.0f / std::sqrt((cols > 0 ? var / static_cast<float>(cols) : 0.0f) + epsilon);
      for (int64_t j = 0; j < cols; j++) yr[j] = (xr[j] - m) * rs * gamma[j] + beta[j];
      mean[r] = m;
      rstd[r] = rs;
    }
  });
}

void layer_norm_backward(const float* dy, const float* x, const float* gamma, const float* mean, const float* rstd,
                         float* dx, float* dgamma, float* dbeta, int64_t rows, int64_t cols) {
  const int64_t blocks = (rows + kGradRowBlock - 1) / kGradRowBlock;
  // Per-block partial sums of dgamma and dbeta, added up in block order afterwards.
  std::vector<float> partial(static_cast<size_t>(blocks * 2 * cols), 0.0f);
  auto run_blocks = [&](int64_t b0, int64_t b1) {
    std::vector<float> g(static_cast<size_t>(cols)), xhat(static_cast<size_t>(cols));
    for (int64_t blk = b0; blk < b1; blk++) {
      float* pg = partial.data() + blk * 2 * cols;
      float* pb = pg + cols;
      const int64_t r1 = std::min(rows, (blk + 1) * kGradRowBlock);
      for (int64_t r = blk * kGradRowBlock; r < r1; r++) {
        const float* dyr = dy + r * cols;
        const float* xr = x + r * cols;
        const float m = mean[r], rs = rstd[r];
        float sg = 0.0f, sgx = 0.0f;
        for (int64_t j = 0; j < cols; j++) {
          xhat[j] = (xr[j] - m) * rs;
          g[j] = dyr[j] * gamma[j];
          sg += g[j];
          sgx += g[j] * xhat[j];
          pg[j] += dyr[j] * xhat[j];
          pb[j] += dyr[j];
        }
        const float mg = sg / static_cast<float>(cols), mgx = sgx / static_cast<float>(cols);
        float* dxr = dx + r * cols;
        for (int64_t j = 0; j < cols; j++) dxr[j] = rs * (g[j] - mg - xhat[j] * mgx);
      }
    }
  };
  parallel_range(blocks, std::max<int64_t>(1, min_rows(cols) / kGradRowBlock), run_blocks);
  std::fill(dgamma, dgamma + cols, 0.0f);
  std::fill(dbeta, dbeta + cols, 0.0f);
  for (int64_t blk = 0; blk < blocks; blk++) {
    const float* pg = partial.data() + blk * 2 * cols;
    for (int64_t j = 0; j < cols; j++) {
      dgamma[j] += pg[j];
      dbeta[j] += pg[cols + j];
    }
  }
}

namespace {
constexpr float kInvSqrt2 = 0.70710678118654752f;
constexpr float kInvSqrt2Pi = 0.39894228040143268f;
constexpr float kQuickAlpha = 1.702f;
}  // namespace

void gelu_forward(int kind, const float* x, float* y, int64_t n) {
  const SimdKernels& kern = simd();
  parallel_range(n, kMinElements, [&](int64_t begin, int64_t end) {
    float t[kChunk];
    for (int64_t c = begin; c < end; c += kChunk) {
      const int64_t len = std::min(kChunk, end - c);
      const float* xc = x + c;
      float* yc = y + c;
      if (kind == kGeluErf) {
        for (int64_t i = 0; i < len; i++) t[i] = xc[i] * kInvSqrt2;
        kern.unary(kErf, t, t, len);
        for (int64_t i = 0; i < len; i++) yc[i] = 0.5f * xc[i] * (1.0f + t[i]);
      } else {
        for (int64_t i = 0; i < len; i++) t[i] = xc[i] * kQuickAlpha;
        kern.unary(kSigmoid, t, t, len);
        for (int64_t i = 0; i < len; i++) yc[i] = xc[i] * t[i];
      }
    }
  });
}

void gelu_backward(int kind, const float* x, const float* dy, float* dx, int64_t n) {
  const SimdKernels& kern = simd();
  parallel_range(n, kMinElements, [&](int64_t begin, int64_t end) {
    float t[kChunk], e[kChunk];
    for (int64_t c = begin; c < end; c += kChunk) {
      const int64_t len = std::min(kChunk, end - c);
      const float* xc = x + c;
      if (kind == kGeluErf) {
        // d/dx x Phi(x) = Phi(x) + x phi(x)
        for (int64_t i = 0; i < len; i++) {
          t[i] = xc[i] * kInvSqrt2;
          e[i] = -0.5f * xc[i] * xc[i];
        }
        kern.unary(kErf, t, t, len);
        kern.unary(kExp, e, e, len);
        for (int64_t i = 0; i < len; i++) dx[c + i] = dy[c + i] * (0.5f * (1.0f + t[i]) + xc[i] * kInvSqrt2Pi * e[i]);
      } else {
        // d/dx x s(a x) = s + a x s (1 - s)
        for (int64_t i = 0; i < len; i++) t[i] = xc[i] * kQuickAlpha;
        kern.unary(kSigmoid, t, t, len);
        for (int64_t i = 0; i < len; i++) dx[c + i] = dy[c + i] * (t[i] + kQuickAlpha * xc[i] * t[i] * (1.0f - t[i]));
      }
    }
  });
}

void adam_update(const float* value, const float* m, const float* v, const float* g, float* value_out, float* m_out, float* v_out,
                 int64_t n, float lr, float beta1, float beta2, float epsilon, float c1, float c2) {
  parallel_range(n, kMinElements, [&](int64_t begin, int64_t end) {
    for (int64_t i = begin; i < end; i++) {
      const float mi = m[i] * beta1 + g[i] * (1.0f - beta1);
      const float vi = v[i] * beta2 + (g[i] * g[i]) * (1.0f - beta2);
      m_out[i] = mi;
      v_out[i] = vi;
      value_out[i] = ((mi / c1) / (std::sqrt(vi / c2) + epsilon)) * -lr + value[i];
    }
  });
}

float softmax_xent_forward(const float* z, const float* y, float* logp, int64_t rows, int64_t classes) {
  const SimdKernels& kern = simd();
  std::vector<double> row_loss(static_cast<size_t>(rows), 0.0);
  parallel_range(rows, min_rows(classes), [&](int64_t r0, int64_t r1) {
    for (int64_t r = r0; r < r1; r++) {
      const float* zr = z + r * classes;
      float* lr = logp + r * classes;
      float m = zr[0];
      for (int64_t c = 1; c < classes; c++) m = zr[c] > m ? zr[c] : m;
      for (int64_t c = 0; c < classes; c++) lr[c] = zr[c] - m;
      // exp into the output row, summed, then overwritten with the log-probabilities.
      std::vector<float> e(static_cast<size_t>(classes));
      kern.unary(kExp, lr, e.data(), classes);
      double sum = 0.0;
      for (int64_t c = 0; c < classes; c++) sum += e[c];
      const float lse = static_cast<float>(std::log(sum));
      double loss = 0.0;
      for (int64_t c = 0; c < classes; c++) {
        lr[c] -= lse;
        loss -= static_cast<double>(y[r * classes + c]) * lr[c];
      }
      row_loss[r] = loss;
    }
  });
  double total = 0.0;  // in row order: the same value for any thread count
  for (int64_t r = 0; r < rows; r++) total += row_loss[r];
  return static_cast<float>(total / static_cast<double>(rows));
}

void softmax_xent_backward(float dy, const float* logp, const float* y, float* dz, float* dtable, int64_t rows, int64_t classes) {
  const SimdKernels& kern = simd();
  const float per_row = dy / static_cast<float>(rows);
  parallel_range(rows, min_rows(classes), [&](int64_t r0, int64_t r1) {
    for (int64_t r = r0; r < r1; r++) {
      const float* lr = logp + r * classes;
      const float* yr = y + r * classes;
      float* dzr = dz + r * classes;
      float ysum = 0.0f;
      for (int64_t c = 0; c < classes; c++) ysum += yr[c];
      kern.unary(kExp, lr, dzr, classes);
      for (int64_t c = 0; c < classes; c++) {
        dzr[c] = (dzr[c] * ysum - yr[c]) * per_row;
        dtable[r * classes + c] = -lr[c] * per_row;
      }
    }
  });
}

}  // namespace hotplug

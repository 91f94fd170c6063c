// Blocked GEMM in the GotoBLAS/BLIS shape: B is packed into KC x NC panels (L3), A into
// MC x KC blocks (L2), and the register-tiled micro-kernel streams MR x KC slivers of A
// against KC x NR slivers of B (L1). Transposes only change how packing reads the source.
#include "gemm.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <new>
#include <vector>

#include "simd.h"
#include "thread_pool.h"

namespace hotplug {
namespace {

constexpr int64_t KC = 256;   // depth of one packed panel: 6x256 + 256x16 floats fit in L1/L2
constexpr int64_t MC = 96;    // rows of A per block (multiple of every table's mr): 96 KiB of L2
constexpr int64_t NC = 2048;  // columns of B per panel (multiple of every table's nr)
static_assert(MC % kMaxMR == 0 && MC % 6 == 0 && NC % kMaxNR == 0, "blocks must hold whole register tiles");

// Element (row, col) of a row-major matrix that may be read transposed.
struct View {
  const float* data;
  int64_t row_stride, col_stride;
  float at(int64_t r, int64_t c) const { return data[r * row_stride + c * col_stride]; }
};

// A[i0:i0+mc, p0:p0+kc] into mr-row slivers, k-major inside each, zero-padded to mr.
void pack_a(const View& a, int64_t i0, int64_t mc, int64_t p0, int64_t kc, int64_t mr, float* out) {
  for (int64_t ir = 0; ir < mc; ir += mr) {
    const int64_t rows = std::min<int64_t>(mr, mc - ir);
    if (a.row_stride == 1 && rows == mr) {
      // Transposed A: the mr rows of one k are contiguous in memory.
      for (int64_t p = 0; p < kc; p++) std::memcpy(out + p * mr, &a.data[(i0 + ir) + (p0 + p) * a.col_stride], mr * sizeof(float));
    } else {
      for (int64_t p = 0; p < kc; p++)
        for (int64_t i = 0; i < mr; i++) out[p * mr + i] = i < rows ? a.at(i0 + ir + i, p0 + p) : 0.0f;
    }
    out += kc * mr;
  }
}

// B[p0:p0+kc, j0:j0+nc] into nr-column slivers, k-major inside each, zero-padded to nr.
void pack_b(const View& b, int64_t p0, int64_t kc, int64_t j0, int64_t nc, int64_t nr, float* out) {
  for (int64_t jr = 0; jr < nc; jr += nr) {
    const int64_t cols = std::min<int64_t>(nr, nc - jr);
    if (b.col_stride == 1 && cols == nr) {
      for (int64_t p = 0; p < kc; p++) std::memcpy(out + p * nr, &b.data[(p0 + p) * b.row_stride + j0 + jr], nr * sizeof(float));
    } else if (b.row_stride == 1) {
      // Transposed B: walk each column along k (contiguous), scatter into the sliver.
      std::fill(out, out + kc * nr, 0.0f);
      for (int64_t j = 0; j < cols; j++) {
        const float* src = &b.data[p0 + (j0 + jr + j) * b.col_stride];
        for (int64_t p = 0; p < kc; p++) out[p * nr + j] = src[p];
      }
    } else {
      for (int64_t p = 0; p < kc; p++)
        for (int64_t j = 0; j < nr; j++) out[p * nr + j] = j < cols ? b.at(p0 + p, j0 + jr + j) : 0.0f;
    }
    out += kc * nr;
  }
}

// Packed panels start on a cache line: the micro-kernel loads 16 floats of B per k step, and
// from a 16-byte-aligned vector half of those loads would straddle two lines (the figures
// then depended on where malloc happened to put the buffer, ±30% between processes).
struct AlignedFloats {
  explicit AlignedFloats(size_t n) : ptr(static_cast<float*>(std::aligned_alloc(64, (n * sizeof(float) + 63) / 64 * 64))) {
    if (ptr == nullptr) throw std::bad_alloc();
  }
  ~AlignedFloats() { std::free(ptr); }
  AlignedFloats(const AlignedFloats&) = delete;
  AlignedFloats& operator=(const AlignedFloats&) = delete;
  float* data() { return ptr; }
  float* ptr;
};

struct Buffers {
  AlignedFloats a{MC * KC}, b{KC * NC};
};

Buffers& thread_buffers() {
  static thread_local Buffers buffers;
  return buffers;
}

// C[0:mc, 0:nc] (+)= packed A block (mc x kc) * packed B panel (kc x nc), tile by tile.
void macro_kernel(const SimdKernels& kern, const float* packed_a, const float* packed_b, int64_t mc, int64_t nc, int64_t kc,
                  float* c, int64_t ldc, bool accumulate) {
  const int64_t mr = kern.mr, nr = kern.nr;
  alignas(64) float edge[kMaxMR * kMaxNR];
  for (int64_t jr = 0; jr < nc; jr += nr) {
    const int64_t cols = std::min<int64_t>(nr, nc - jr);
    const float* pb = packed_b + (jr / nr) * kc * nr;
    for (int64_t ir = 0; ir < mc; ir += mr) {
      const int64_t rows = std::min<int64_t>(mr, mc - ir);
      const float* pa = packed_a + (ir / mr) * kc * mr;
      float* ct = c + ir * ldc + jr;
      if (rows == mr && cols == nr) {
        kern.micro_kernel(kc, pa, pb, ct, ldc, accumulate);
      } else {
        // Edge tile: compute the full register tile aside, keep the valid part.
        kern.micro_kernel(kc, pa, pb, edge, nr, false);
        for (int64_t i = 0; i < rows; i++)
          for (int64_t j = 0; j < cols; j++) ct[i * ldc + j] = accumulate ? ct[i * ldc + j] + edge[i * nr + j] : edge[i * nr + j];
      }
    }
  }
}

void fill_zero(float* c, int64_t ldc, int64_t m0, int64_t m1, int64_t n0, int64_t n1) {
  for (int64_t i = m0; i < m1; i++) std::fill(c + i * ldc + n0, c + i * ldc + n1, 0.0f);
}

// C[m0:m1, n0:n1] = A[m0:m1, :] * B[:, n0:n1] for one matrix, single-threaded.
void gemm_block(const View& a, const View& b, float* c, int64_t ldc, int64_t k, int64_t m0, int64_t m1, int64_t n0, int64_t n1) {
  const SimdKernels& kern = simd();
  Buffers& buf = thread_buffers();
  if (k == 0) return fill_zero(c, ldc, m0, m1, n0, n1);
  for (int64_t jc = n0; jc < n1; jc += NC) {
    const int64_t nc = std::min(NC, n1 - jc);
    for (int64_t pc = 0; pc < k; pc += KC) {
      const int64_t kc = std::min(KC, k - pc);
      pack_b(b, pc, kc, jc, nc, kern.nr, buf.b.data());
      for (int64_t ic = m0; ic < m1; ic += MC) {
        const int64_t mc = std::min(MC, m1 - ic);
        pack_a(a, ic, mc, pc, kc, kern.mr, buf.a.data());
        macro_kernel(kern, buf.a.data(), buf.b.data(), mc, nc, kc, c + ic * ldc + jc, ldc, pc > 0);
      }
    }
  }
}

// One large matrix on all threads, BLIS-style: each B panel is packed once (its NR slivers
// shared out), then threads take MC-row blocks of A dynamically, so a thread that the OS
// deschedules on a busy machine delays only the blocks it holds.
void gemm_shared(const View& a, const View& b, float* c, int64_t m, int64_t n, int64_t k) {
  const SimdKernels& kern = simd();
  if (k == 0) return fill_zero(c, n, 0, m, 0, n);
  static thread_local AlignedFloats shared_b(KC * NC);
  float* packed_b = shared_b.data();
  const int64_t blocks = (m + MC - 1) / MC;
  for (int64_t jc = 0; jc < n; jc += NC) {
    const int64_t nc = std::min(NC, n - jc);
    const int64_t nr = kern.nr;
    const int64_t slivers = (nc + nr - 1) / nr;
    for (int64_t pc = 0; pc < k; pc += KC) {
      const int64_t kc = std::min(KC, k - pc);
      const int64_t per_task = std::max<int64_t>(1, (slivers + pool().threads() - 1) / pool().threads());
      pool().parallel_for((slivers + per_task - 1) / per_task, [&](int64_t t) {
        const int64_t s0 = t * per_task, s1 = std::min(slivers, s0 + per_task);
        pack_b(b, pc, kc, jc + s0 * nr, std::min(nc, s1 * nr) - s0 * nr, nr, packed_b + s0 * kc * nr);
      });
      pool().parallel_for(blocks, [&](int64_t blk) {
        Buffers& buf = thread_buffers();
        const int64_t ic = blk * MC;
        const int64_t mc = std::min(MC, m - ic);
        pack_a(a, ic, mc, pc, kc, kern.mr, buf.a.data());
        macro_kernel(kern, buf.a.data(), packed_b, mc, nc, kc, c + ic * n + jc, n, pc > 0);
      });
    }
  }
}

}  // namespace

void gemm_serial(const GemmProblem& p) {
  if (p.m == 0 || p.n == 0) return;
  const View a0{p.a, p.transpose_a ? 1 : p.k, p.transpose_a ? p.m : 1};
  const View b0{p.b, p.transpose_b ? 1 : p.n, p.transpose_b ? p.k : 1};
  for (int64_t bi = 0; bi < p.batch; bi++) {
    View a = a0;
    View b = b0;
    a.data += bi * p.a_batch_stride;
    b.data += bi * p.b_batch_stride;
    gemm_block(a, b, p.c + bi * p.m * p.n, p.n, p.k, 0, p.m, 0, p.n);
  }
}

void gemm(const GemmProblem& p) {
  if (p.batch == 0 || p.m == 0 || p.n == 0) return;
  const View a0{p.a, p.transpose_a ? 1 : p.k, p.transpose_a ? p.m : 1};
  const View b0{p.b, p.transpose_b ? 1 : p.n, p.transpose_b ? p.k : 1};
  const int threads = pool().threads();
  const double flops = 2.0 * p.m * p.n * std::max<int64_t>(p.k, 1) * p.batch;

  // Tasks: whole matrices when there are enough of them, else each matrix cut along its
  // longer side into pieces of whole register tiles. Small products stay on one thread.
  int64_t splits = 1;
  if (flops >= 2e5 && p.batch < threads) splits = (threads + p.batch - 1) / p.batch;
  const int64_t mr = simd().mr, nr = simd().nr;
  const bool split_rows = (p.m + mr - 1) / mr >= (p.n + nr - 1) / nr;
  const int64_t unit = split_rows ? mr : nr;
  const int64_t extent = split_rows ? p.m : p.n;
  const int64_t units = (extent + unit - 1) / unit;
  splits = std::max<int64_t>(1, std::min(splits, units));
  const int64_t per_split = ((units + splits - 1) / splits) * unit;

  auto run = [&](int64_t task) {
    const int64_t bi = task / splits;
    const int64_t s = task % splits;
    const int64_t lo = s * per_split;
    const int64_t hi = std::min(extent, lo + per_split);
    if (lo >= hi) return;
    View a = a0;
    View b = b0;
    a.data += bi * p.a_batch_stride;
    b.data += bi * p.b_batch_stride;
    float* c = p.c + bi * p.m * p.n;
    if (split_rows) gemm_block(a, b, c, p.n, p.k, lo, hi, 0, p.n);
    else gemm_block(a, b, c, p.n, p.k, 0, p.m, lo, hi);
  };
  if (p.batch == 1 && flops >= 4e6 && (p.m + MC - 1) / MC >= 2 * threads) {
    gemm_shared(a0, b0, p.c, p.m, p.n, p.k);
    return;
  }
  const int64_t tasks = p.batch * splits;
  if (flops < 2e5) {
    for (int64_t t = 0; t < tasks; t++) run(t);
  } else {
    pool().parallel_for(tasks, run);
  }
}

}  // namespace hotplug

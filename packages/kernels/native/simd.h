// The SIMD-specific inner loops, compiled twice (simd_generic.cc for any x86-64/ARM CPU,
// simd_avx2.cc with AVX2/FMA) and chosen once at run time by the CPU's features.
#pragma once
#include <cstdint>

namespace hotplug {

// GEMM register tile: MR rows x NR columns of C stay in registers (12 AVX2 accumulators).
constexpr int MR = 6;
constexpr int NR = 16;

enum BinaryOp : int { kAdd = 0, kSub = 1, kMul = 2, kDiv = 3 };
enum UnaryOp : int {
  kExp = 0, kTanh, kErf, kSigmoid, kRsqrt, kSquare, kSqrt, kNeg, kLog, kRelu, kAbs, kReciprocal, kUnaryCount
};
enum ReduceOp : int { kSum = 0, kMean = 1, kMax = 2 };

struct SimdKernels {
  const char* name;
  // C[MR x NR] (+)= packedA (kc x MR) * packedB (kc x NR); C row stride ldc.
  void (*micro_kernel)(int64_t kc, const float* a, const float* b, float* c, int64_t ldc, bool accumulate);
  // out[i] = a[i * sa] (op) b[i * sb] for i < n, with sa, sb in {0, 1}.
  void (*binary)(int op, const float* a, int64_t sa, const float* b, int64_t sb, float* out, int64_t n);
  void (*unary)(int op, const float* x, float* out, int64_t n);
  // Row-wise softmax / reductions over contiguous rows of length cols.
  void (*softmax_rows)(const float* x, float* out, int64_t rows, int64_t cols);
  void (*reduce_rows)(int op, const float* x, float* out, int64_t rows, int64_t cols);
  // dst[i] += src[i] / dst[i] = max(dst[i], src[i]).
  void (*add_into)(float* dst, const float* src, int64_t n);
  void (*max_into)(float* dst, const float* src, int64_t n);
};

extern const SimdKernels kGenericKernels;
#if defined(__x86_64__) || defined(__i386__)
extern const SimdKernels kAvx2Kernels;
#endif

// The table in use: AVX2/FMA when the CPU has both (unless forced generic), else generic.
const SimdKernels& simd();
// mode "auto" or "generic"; returns the name of the table now in use.
const char* set_simd(const char* mode);

}  // namespace hotplug

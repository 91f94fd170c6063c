// The SIMD-specific inner loops, compiled three times (simd_generic.cc for any x86-64/ARM CPU,
// simd_avx2.cc with AVX2/FMA, simd_avx512.cc with AVX-512F) and chosen once at run time by
// the CPU's features.
#pragma once
#include <cstdint>

namespace hotplug {

// GEMM register tiles are per table (SimdKernels::mr x nr rows x columns of C stay in
// registers); these bound them, for buffers sized before the table is known.
constexpr int kMaxMR = 12;
constexpr int kMaxNR = 32;

enum BinaryOp : int { kAdd = 0, kSub = 1, kMul = 2, kDiv = 3 };
enum UnaryOp : int {
  kExp = 0, kTanh, kErf, kSigmoid, kRsqrt, kSquare, kSqrt, kNeg, kLog, kRelu, kAbs, kReciprocal, kUnaryCount
};
enum ReduceOp : int { kSum = 0, kMean = 1, kMax = 2 };

struct SimdKernels {
  const char* name;
  // The micro-kernel's register tile: mr rows x nr columns.
  int mr, nr;
  // C[mr x nr] (+)= packedA (kc x mr) * packedB (kc x nr); C row stride ldc.
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
extern const SimdKernels kAvx512Kernels;
#endif

// The table in use: AVX-512F when the CPU (and OS) has it, else AVX2/FMA when it has both,
// else generic — unless a table was forced with set_simd.
const SimdKernels& simd();
// mode "auto" (best supported), or a table's name: "avx512f", "avx2-fma", "generic".
// Returns the name of the table now in use, or nullptr (nothing changed) when the mode is
// unknown or this CPU cannot run that table.
const char* set_simd(const char* mode);
// Names of the tables this CPU can run, best first, separated by commas.
const char* supported_simd();

}  // namespace hotplug

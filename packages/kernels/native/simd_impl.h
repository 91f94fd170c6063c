// Body of one SIMD table. Included by simd_generic.cc, simd_avx2.cc and simd_avx512.cc inside
// a different namespace each, after the latter two switched the compiler to AVX2/FMA or
// AVX-512 code generation: the
// loops are written so GCC vectorises them for whichever target is active.
// Needs <cmath>, <cstring> and <limits> included before the enclosing namespace opens, and
// constexpr MR / NR (the register tile) declared in it.

static inline float bits_to_float(int32_t bits) {
  float f;
  std::memcpy(&f, &bits, sizeof f);
  return f;
}

// exp with a Cephes-style range reduction and degree-6 polynomial: ~1 ulp on the clamped
// range; branch-free so it vectorises. Overflow gives +inf and NaN propagates, like expf.
static inline float fast_exp(float x) {
  const float clamped_hi = x > 88.3f ? 88.3f : x;
  const float xc = clamped_hi < -87.3f ? -87.3f : clamped_hi;
  const float fx = xc * 1.44269504088896341f;
  const int32_t n = static_cast<int32_t>(fx + (fx >= 0.0f ? 0.5f : -0.5f));
  const float nf = static_cast<float>(n);
  float r = xc - nf * 0.693359375f;
  r = r - nf * -2.12194440e-4f;
  float p = 1.9875691500e-4f;
  p = p * r + 1.3981999507e-3f;
  p = p * r + 8.3334519073e-3f;
  p = p * r + 4.1665795894e-2f;
  p = p * r + 1.6666665459e-1f;
  p = p * r + 5.0000001201e-1f;
  p = p * r * r + r + 1.0f;
  const float result = p * bits_to_float((n + 127) << 23);
  const float with_overflow = x > 88.72283f ? std::numeric_limits<float>::infinity() : result;
  return x != x ? x : with_overflow;
}

static inline float fast_sigmoid(float x) { return 1.0f / (1.0f + fast_exp(-x)); }

static inline float fast_tanh(float x) {
  const float ax = x < 0.0f ? -x : x;
  const float e = fast_exp(-2.0f * ax);
  const float t = (1.0f - e) / (1.0f + e);
  // Near zero 1 - e cancels: the odd Taylor series is exact to float precision there.
  const float small = ax * (1.0f - ax * ax * (1.0f / 3.0f));
  const float mag = ax < 0.02f ? small : t;
  return x < 0.0f ? -mag : mag;
}

// Abramowitz & Stegun 7.1.26 (|error| < 1.5e-7), the same formula tfjs' cpu backend uses.
static inline float fast_erf(float x) {
  const float ax = x < 0.0f ? -x : x;
  const float t = 1.0f / (1.0f + 0.3275911f * ax);
  const float poly = ((((1.061405429f * t - 1.453152027f) * t + 1.421413741f) * t - 0.284496736f) * t + 0.254829592f) * t;
  const float far = 1.0f - poly * fast_exp(-ax * ax);
  // Near zero 1 - poly * exp cancels; the Maclaurin series is accurate there instead.
  const float x2 = ax * ax;
  const float near = 1.1283791670955126f * ax *
                     (1.0f + x2 * (-1.0f / 3 + x2 * (1.0f / 10 + x2 * (-1.0f / 42 + x2 * (1.0f / 216 + x2 * (-1.0f / 1320))))));
  const float y = ax < 0.5f ? near : far;
  return x < 0.0f ? -y : y;
}

template <int OP>
static inline float apply_binary(float a, float b) {
  if (OP == kAdd) return a + b;
  if (OP == kSub) return a - b;
  if (OP == kMul) return a * b;
  return a / b;
}

template <int OP>
static void binary_loop(const float* a, int64_t sa, const float* b, int64_t sb, float* out, int64_t n) {
  // Separate loops per stride pattern so each one has unit or zero strides and vectorises.
  if (sa == 1 && sb == 1) {
    for (int64_t i = 0; i < n; i++) out[i] = apply_binary<OP>(a[i], b[i]);
  } else if (sa == 1) {
    const float bv = b[0];
    for (int64_t i = 0; i < n; i++) out[i] = apply_binary<OP>(a[i], bv);
  } else if (sb == 1) {
    const float av = a[0];
    for (int64_t i = 0; i < n; i++) out[i] = apply_binary<OP>(av, b[i]);
  } else {
    const float v = apply_binary<OP>(a[0], b[0]);
    for (int64_t i = 0; i < n; i++) out[i] = v;
  }
}

static void binary(int op, const float* a, int64_t sa, const float* b, int64_t sb, float* out, int64_t n) {
  switch (op) {
    case kAdd: return binary_loop<kAdd>(a, sa, b, sb, out, n);
    case kSub: return binary_loop<kSub>(a, sa, b, sb, out, n);
    case kMul: return binary_loop<kMul>(a, sa, b, sb, out, n);
    default: return binary_loop<kDiv>(a, sa, b, sb, out, n);
  }
}

#ifndef HOTPLUG_HAS_VECTOR_TRANSCENDENTALS
// Hooks for hand-vectorised exp-based functions; the portable table has none (the
// compiler does not vectorise the select-heavy scalar versions) and handles every element.
static inline int64_t vector_transcendental(int, const float*, float*, int64_t) { return 0; }
static inline int64_t vector_exp_shifted(const float*, float, float*, int64_t) { return 0; }
#endif

static void unary(int op, const float* x, float* out, int64_t n) {
  // The vector path (AVX2 table) handles whole registers; the scalar loop does the rest.
  const int64_t done = vector_transcendental(op, x, out, n);
  x += done;
  out += done;
  n -= done;
  switch (op) {
    case kExp: for (int64_t i = 0; i < n; i++) out[i] = fast_exp(x[i]); break;
    case kTanh: for (int64_t i = 0; i < n; i++) out[i] = fast_tanh(x[i]); break;
    case kErf: for (int64_t i = 0; i < n; i++) out[i] = fast_erf(x[i]); break;
    case kSigmoid: for (int64_t i = 0; i < n; i++) out[i] = fast_sigmoid(x[i]); break;
    case kRsqrt: for (int64_t i = 0; i < n; i++) out[i] = 1.0f / std::sqrt(x[i]); break;
    case kSquare: for (int64_t i = 0; i < n; i++) out[i] = x[i] * x[i]; break;
    case kSqrt: for (int64_t i = 0; i < n; i++) out[i] = std::sqrt(x[i]); break;
    case kNeg: for (int64_t i = 0; i < n; i++) out[i] = -x[i]; break;
    case kLog: for (int64_t i = 0; i < n; i++) out[i] = std::log(x[i]); break;
    case kRelu: for (int64_t i = 0; i < n; i++) out[i] = x[i] < 0.0f ? 0.0f : x[i]; break;
    case kAbs: for (int64_t i = 0; i < n; i++) out[i] = std::fabs(x[i]); break;
    default: for (int64_t i = 0; i < n; i++) out[i] = 1.0f / x[i]; break;
  }
}

// Reductions keep 16 partial results so the loop vectorises without reassociation flags.
constexpr int kLanes = 16;

static float row_sum(const float* x, int64_t n) {
  float acc[kLanes] = {0};
  int64_t i = 0;
  for (; i + kLanes <= n; i += kLanes)
    for (int l = 0; l < kLanes; l++) acc[l] += x[i + l];
  float s = 0.0f;
  for (int l = 0; l < kLanes; l++) s += acc[l];
  for (; i < n; i++) s += x[i];
  return s;
}

static float row_max(const float* x, int64_t n) {
  float acc[kLanes];
  for (int l = 0; l < kLanes; l++) acc[l] = -std::numeric_limits<float>::infinity();
  bool nan = false;
  int64_t i = 0;
  for (; i + kLanes <= n; i += kLanes)
    for (int l = 0; l < kLanes; l++) {
      const float v = x[i + l];
      nan |= v != v;
      acc[l] = v > acc[l] ? v : acc[l];
    }
  float m = -std::numeric_limits<float>::infinity();
  for (int l = 0; l < kLanes; l++) m = acc[l] > m ? acc[l] : m;
  for (; i < n; i++) {
    nan |= x[i] != x[i];
    m = x[i] > m ? x[i] : m;
  }
  return nan ? std::numeric_limits<float>::quiet_NaN() : m;
}

static void reduce_rows(int op, const float* x, float* out, int64_t rows, int64_t cols) {
  for (int64_t r = 0; r < rows; r++) {
    const float* row = x + r * cols;
    if (op == kMax) out[r] = row_max(row, cols);
    else out[r] = row_sum(row, cols) / (op == kMean ? static_cast<float>(cols) : 1.0f);
  }
}

static void softmax_rows(const float* x, float* out, int64_t rows, int64_t cols) {
  for (int64_t r = 0; r < rows; r++) {
    const float* in = x + r * cols;
    float* o = out + r * cols;
    const float m = row_max(in, cols);
    const int64_t done = vector_exp_shifted(in, m, o, cols);
    for (int64_t i = done; i < cols; i++) o[i] = fast_exp(in[i] - m);
    const float inv = 1.0f / row_sum(o, cols);
    for (int64_t i = 0; i < cols; i++) o[i] *= inv;
  }
}

static void add_into(float* dst, const float* src, int64_t n) {
  for (int64_t i = 0; i < n; i++) dst[i] += src[i];
}

static void max_into(float* dst, const float* src, int64_t n) {
  for (int64_t i = 0; i < n; i++) {
    const float v = src[i];
    dst[i] = (v > dst[i] || v != v) ? v : dst[i];
  }
}

#ifndef HOTPLUG_HAS_MICRO_KERNEL
// Portable register tile: plain loops over a local MR x NR accumulator (SSE2 on x86-64).
static void micro_kernel(int64_t kc, const float* a, const float* b, float* c, int64_t ldc, bool accumulate) {
  float acc[MR][NR] = {};
  for (int64_t k = 0; k < kc; k++) {
    const float* ak = a + k * MR;
    const float* bk = b + k * NR;
    for (int i = 0; i < MR; i++)
      for (int j = 0; j < NR; j++) acc[i][j] += ak[i] * bk[j];
  }
  for (int i = 0; i < MR; i++)
    for (int j = 0; j < NR; j++) c[i * ldc + j] = accumulate ? c[i * ldc + j] + acc[i][j] : acc[i][j];
}
#endif

static const SimdKernels kTable = {
    HOTPLUG_SIMD_NAME, MR, NR, micro_kernel, binary, unary, softmax_rows, reduce_rows, add_into, max_into,
};

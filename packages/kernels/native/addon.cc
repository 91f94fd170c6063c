// N-API surface of the native backend. Typed arrays are used in place (no copies); every
// length is checked against the shapes before any pointer is touched.
#include <napi.h>

#include <string>
#include <vector>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

#include "gemm.h"
#include "ops.h"
#include "simd.h"
#include "thread_pool.h"

namespace hotplug {
// native/fused_api.cc: the fused LayerNorm / GELU kernels' functions.
void register_fused_api(Napi::Env env, Napi::Object exports);
}  // namespace hotplug

namespace {



Napi::Float32Array floats(const Napi::CallbackInfo& info, size_t i, const char* name) {
  if (!info[i].IsTypedArray() || info[i].As<Napi::TypedArray>().TypedArrayType() != napi_float32_array)
    throw Napi::TypeError::New(info.Env(), std::string(name) + " must be a Float32Array");
  return info[i].As<Napi::Float32Array>();
}

Napi::Int32Array ints(const Napi::CallbackInfo& info, size_t i, const char* name) {
  if (!info[i].IsTypedArray() || info[i].As<Napi::TypedArray>().TypedArrayType() != napi_int32_array)
    throw Napi::TypeError::New(info.Env(), std::string(name) + " must be an Int32Array");
  return info[i].As<Napi::Int32Array>();
}

// Sizes from JavaScript: whole numbers in [0, 2^53]; NaN, fractions and huge values are refused
// here rather than truncated or saturated by Int64Value.
int64_t integer(const Napi::CallbackInfo& info, size_t i, const char* name) {
  if (!info[i].IsNumber()) throw Napi::TypeError::New(info.Env(), std::string(name) + " must be a number");
  const double d = info[i].As<Napi::Number>().DoubleValue();
  if (!(d >= 0) || d > 9007199254740992.0 || d != static_cast<double>(static_cast<int64_t>(d)))
    throw Napi::RangeError::New(info.Env(), std::string(name) + " must be an integer >= 0 (at most 2^53)");
  return static_cast<int64_t>(d);
}

void need(const Napi::Env& env, bool ok, const std::string& what) {
  if (!ok) throw Napi::RangeError::New(env, what);
}

// Size arithmetic that cannot wrap: a product or sum past int64 is refused instead of
// becoming a small (or negative) number that passes the length checks.
int64_t mul(const Napi::Env& env, int64_t a, int64_t b, const char* what) {
  int64_t r;
  if (__builtin_mul_overflow(a, b, &r)) throw Napi::RangeError::New(env, std::string(what) + ": sizes overflow 64 bits");
  return r;
}

int64_t add(const Napi::Env& env, int64_t a, int64_t b, const char* what) {
  int64_t r;
  if (__builtin_add_overflow(a, b, &r)) throw Napi::RangeError::New(env, std::string(what) + ": sizes overflow 64 bits");
  return r;
}

std::vector<int64_t> to_vector(const Napi::Int32Array& a) {
  return std::vector<int64_t>(a.Data(), a.Data() + a.ElementLength());
}

Napi::Value Info(const Napi::CallbackInfo& info) {
  Napi::Object out = Napi::Object::New(info.Env());
  out.Set("threads", hotplug::pool().threads());
  out.Set("simd", hotplug::simd().name);
  out.Set("supportedSimd", hotplug::supported_simd());
  return out;
}

Napi::Value SetSimd(const Napi::CallbackInfo& info) {
  const std::string mode = info[0].IsString() ? info[0].As<Napi::String>().Utf8Value() : "auto";
  const char* now = hotplug::set_simd(mode.c_str());
  if (now == nullptr)
    throw Napi::RangeError::New(info.Env(), "setSimd: '" + mode + "' is not a SIMD table this CPU can run; use 'auto' or one of " + hotplug::supported_simd());
  return Napi::String::New(info.Env(), now);
}

Napi::Value Matmul(const Napi::CallbackInfo& info) {
  auto a = floats(info, 0, "a"), b = floats(info, 1, "b"), out = floats(info, 2, "out");
  hotplug::GemmProblem p{};
  p.batch = integer(info, 3, "batch");
  p.a_batch_stride = integer(info, 4, "aBatchStride");
  p.b_batch_stride = integer(info, 5, "bBatchStride");
  p.m = integer(info, 6, "m");
  p.n = integer(info, 7, "n");
  p.k = integer(info, 8, "k");
  p.transpose_a = info[9].ToBoolean();
  p.transpose_b = info[10].ToBoolean();
  const auto env = info.Env();
  if (p.batch > 0) {
    need(env, add(env, mul(env, p.batch - 1, p.a_batch_stride, "matmul"), mul(env, p.m, p.k, "matmul"), "matmul") <= static_cast<int64_t>(a.ElementLength()), "matmul: a is too short");
    need(env, add(env, mul(env, p.batch - 1, p.b_batch_stride, "matmul"), mul(env, p.k, p.n, "matmul"), "matmul") <= static_cast<int64_t>(b.ElementLength()), "matmul: b is too short");
  }
  need(env, mul(env, mul(env, p.batch, p.m, "matmul"), p.n, "matmul") <= static_cast<int64_t>(out.ElementLength()), "matmul: out is too short");
  p.a = a.Data();
  p.b = b.Data();
  p.c = out.Data();
  hotplug::gemm(p);
  return env.Undefined();
}

Napi::Value Binary(const Napi::CallbackInfo& info) {
  const auto env = info.Env();
  const int64_t op = integer(info, 0, "op");
  auto a = floats(info, 1, "a"), b = floats(info, 2, "b"), out = floats(info, 3, "out");
  auto shape = to_vector(ints(info, 4, "outShape"));
  auto sa = to_vector(ints(info, 5, "aStrides"));
  auto sb = to_vector(ints(info, 6, "bStrides"));
  need(env, op <= hotplug::kDiv, "binary: unknown op");
  need(env, !shape.empty() && sa.size() == shape.size() && sb.size() == shape.size(), "binary: shape and strides must have the same rank >= 1");
  int64_t total = 1, last_a = 0, last_b = 0;
  for (size_t d = 0; d < shape.size(); d++) {
    // A negative stride would walk before the start of the operand.
    need(env, shape[d] >= 0 && sa[d] >= 0 && sb[d] >= 0, "binary: shape and strides must be >= 0");
    total = mul(env, total, shape[d], "binary");
    if (shape[d] > 0) {
      last_a = add(env, last_a, mul(env, shape[d] - 1, sa[d], "binary"), "binary");
      last_b = add(env, last_b, mul(env, shape[d] - 1, sb[d], "binary"), "binary");
    }
  }
  need(env, total <= static_cast<int64_t>(out.ElementLength()), "binary: out is too short");
  if (total == 0) return env.Undefined();
  need(env, last_a < static_cast<int64_t>(a.ElementLength()) && last_b < static_cast<int64_t>(b.ElementLength()), "binary: an operand is too short for its strides");
  hotplug::binary_broadcast(static_cast<int>(op), a.Data(), b.Data(), out.Data(), shape, sa, sb);
  return env.Undefined();
}

Napi::Value Unary(const Napi::CallbackInfo& info) {
  const auto env = info.Env();
  const int64_t op = integer(info, 0, "op");
  auto x = floats(info, 1, "x"), out = floats(info, 2, "out");
  need(env, op < hotplug::kUnaryCount, "unary: unknown op");
  need(env, x.ElementLength() == out.ElementLength(), "unary: x and out lengths differ");
  hotplug::unary(static_cast<int>(op), x.Data(), out.Data(), static_cast<int64_t>(x.ElementLength()));
  return env.Undefined();
}

Napi::Value Transpose(const Napi::CallbackInfo& info) {
  const auto env = info.Env();
  auto x = floats(info, 0, "x"), out = floats(info, 1, "out");
  auto shape = to_vector(ints(info, 2, "shape"));
  auto perm = to_vector(ints(info, 3, "perm"));
  need(env, shape.size() == perm.size(), "transpose: shape and perm ranks differ");
  std::vector<bool> seen(shape.size(), false);
  int64_t total = 1;
  for (size_t i = 0; i < perm.size(); i++) {
    need(env, perm[i] >= 0 && perm[i] < static_cast<int64_t>(shape.size()) && !seen[perm[i]], "transpose: perm is not a permutation");
    seen[perm[i]] = true;
    need(env, shape[i] >= 0, "transpose: shape must be >= 0");
    total = mul(env, total, shape[i], "transpose");
  }
  need(env, total == static_cast<int64_t>(x.ElementLength()) && total == static_cast<int64_t>(out.ElementLength()), "transpose: lengths do not match the shape");
  hotplug::transpose(x.Data(), out.Data(), shape, perm);
  return env.Undefined();
}

Napi::Value Softmax(const Napi::CallbackInfo& info) {
  const auto env = info.Env();
  auto x = floats(info, 0, "x"), out = floats(info, 1, "out");
  const int64_t rows = integer(info, 2, "rows"), cols = integer(info, 3, "cols");
  need(env, mul(env, rows, cols, "softmax") == static_cast<int64_t>(x.ElementLength()) && x.ElementLength() == out.ElementLength(), "softmax: lengths do not match rows x cols");
  hotplug::softmax(x.Data(), out.Data(), rows, cols);
  return env.Undefined();
}

template <bool kLast>
Napi::Value Reduce(const Napi::CallbackInfo& info) {
  const auto env = info.Env();
  const int64_t op = integer(info, 0, "op");
  auto x = floats(info, 1, "x"), out = floats(info, 2, "out");
  const int64_t rows = integer(info, 3, "rows"), cols = integer(info, 4, "cols");
  need(env, op <= hotplug::kMax, "reduce: unknown op");
  need(env, mul(env, rows, cols, "reduce") == static_cast<int64_t>(x.ElementLength()), "reduce: x length does not match rows x cols");
  need(env, static_cast<int64_t>(out.ElementLength()) == (kLast ? rows : cols), "reduce: out has the wrong length");
  if (kLast) hotplug::reduce_last(static_cast<int>(op), x.Data(), out.Data(), rows, cols);
  else hotplug::reduce_leading(static_cast<int>(op), x.Data(), out.Data(), rows, cols);
  return env.Undefined();
}

Napi::Value SegmentSum(const Napi::CallbackInfo& info) {
  const auto env = info.Env();
  auto x = floats(info, 0, "x");
  auto ids = ints(info, 1, "ids");
  auto out = floats(info, 2, "out");
  const int64_t rows = integer(info, 3, "rows"), inner = integer(info, 4, "inner"), segments = integer(info, 5, "segments");
  need(env, mul(env, rows, inner, "segmentSum") == static_cast<int64_t>(x.ElementLength()) && rows == static_cast<int64_t>(ids.ElementLength()), "segmentSum: x / ids lengths do not match rows x inner");
  need(env, mul(env, segments, inner, "segmentSum") == static_cast<int64_t>(out.ElementLength()), "segmentSum: out length must be segments x inner");
  hotplug::segment_sum(x.Data(), ids.Data(), out.Data(), rows, inner, segments);
  return env.Undefined();
}

// Keeps freed tensor buffers in the malloc heap instead of handing them back to the kernel.
// glibc serves blocks above 128 KiB with fresh mmap()s and returns them on free(), so every
// new tensor of that size page-faults its memory in again: ~0.5 ms per MiB on these virtual
// machines, a third of a 512x512 product. Raising the mmap and trim thresholds lets a
// training step reuse the memory the previous step freed (as framework caching allocators
// do); the cost is that the process keeps its peak heap. Returns false where not glibc.
Napi::Value TuneAllocator(const Napi::CallbackInfo& info) {
#if defined(__GLIBC__)
  const int mmap_threshold = 32 << 20;  // glibc's largest allowed value on 64-bit
  const int trim_threshold = 512 << 20;
  const bool ok = mallopt(M_MMAP_THRESHOLD, mmap_threshold) == 1 && mallopt(M_TRIM_THRESHOLD, trim_threshold) == 1;
  return Napi::Boolean::New(info.Env(), ok);
#else
  return Napi::Boolean::New(info.Env(), false);
#endif
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("tuneAllocator", Napi::Function::New(env, TuneAllocator));
  exports.Set("info", Napi::Function::New(env, Info));
  exports.Set("setSimd", Napi::Function::New(env, SetSimd));
  exports.Set("matmul", Napi::Function::New(env, Matmul));
  exports.Set("binary", Napi::Function::New(env, Binary));
  exports.Set("unary", Napi::Function::New(env, Unary));
  exports.Set("transpose", Napi::Function::New(env, Transpose));
  exports.Set("softmax", Napi::Function::New(env, Softmax));
  exports.Set("reduceLast", Napi::Function::New(env, Reduce<true>));
  exports.Set("reduceLeading", Napi::Function::New(env, Reduce<false>));
  exports.Set("segmentSum", Napi::Function::New(env, SegmentSum));
  hotplug::register_fused_api(env, exports);
  return exports;
}

}  // namespace

NODE_API_MODULE(hotplug_kernels, Init)

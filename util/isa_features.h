// x86-64 instruction-set features as bits: the ones a compiler emits unasked
// under some -march (code generation and auto-vectorization; AES, SHA or
// RDRAND only come from intrinsics). EXFILTER_ISA_FEATURES_OF_THIS_TU reads
// them off the compiler's predefined macros, so a translation unit built
// with any -march (haswell, znver4, native ...) can record what its code may
// use; agent/cpu_check.h compares that with what the CPU has.
// A macro, not an inline function: its value differs between translation
// units built with different flags, which one inline definition cannot.
#pragma once

#include <cstdint>

namespace exfilter::isa {

inline constexpr uint32_t kSse3 = 1u << 0;
inline constexpr uint32_t kSsse3 = 1u << 1;
inline constexpr uint32_t kSse41 = 1u << 2;
inline constexpr uint32_t kSse42 = 1u << 3;
inline constexpr uint32_t kPopcnt = 1u << 4;
inline constexpr uint32_t kAvx = 1u << 5;
inline constexpr uint32_t kAvx2 = 1u << 6;
inline constexpr uint32_t kBmi1 = 1u << 7;
inline constexpr uint32_t kBmi2 = 1u << 8;
inline constexpr uint32_t kFma = 1u << 9;
inline constexpr uint32_t kF16c = 1u << 10;
inline constexpr uint32_t kLzcnt = 1u << 11;
inline constexpr uint32_t kMovbe = 1u << 12;
inline constexpr uint32_t kAvx512f = 1u << 13;
inline constexpr uint32_t kAvx512bw = 1u << 14;
inline constexpr uint32_t kAvx512cd = 1u << 15;
inline constexpr uint32_t kAvx512dq = 1u << 16;
inline constexpr uint32_t kAvx512vl = 1u << 17;
inline constexpr uint32_t kAvx512ifma = 1u << 18;
inline constexpr uint32_t kAvx512vbmi = 1u << 19;
inline constexpr uint32_t kAvx512vbmi2 = 1u << 20;
inline constexpr uint32_t kAvx512vnni = 1u << 21;
inline constexpr uint32_t kAvx512bitalg = 1u << 22;
inline constexpr uint32_t kAvx512vpopcntdq = 1u << 23;
inline constexpr int kCount = 24;

// The name GCC's -m option uses for bit i (-mavx2 ...), for messages.
inline constexpr const char* kNames[kCount] = {
    "sse3",     "ssse3",     "sse4.1",    "sse4.2",      "popcnt",       "avx",
    "avx2",     "bmi",       "bmi2",      "fma",         "f16c",         "lzcnt",
    "movbe",    "avx512f",   "avx512bw",  "avx512cd",    "avx512dq",     "avx512vl",
    "avx512ifma", "avx512vbmi", "avx512vbmi2", "avx512vnni", "avx512bitalg", "avx512vpopcntdq"};

}  // namespace exfilter::isa

#if defined(__SSE3__)
#define EXFILTER_ISA_SSE3_ ::exfilter::isa::kSse3
#else
#define EXFILTER_ISA_SSE3_ 0u
#endif
#if defined(__SSSE3__)
#define EXFILTER_ISA_SSSE3_ ::exfilter::isa::kSsse3
#else
#define EXFILTER_ISA_SSSE3_ 0u
#endif
#if defined(__SSE4_1__)
#define EXFILTER_ISA_SSE41_ ::exfilter::isa::kSse41
#else
#define EXFILTER_ISA_SSE41_ 0u
#endif
#if defined(__SSE4_2__)
#define EXFILTER_ISA_SSE42_ ::exfilter::isa::kSse42
#else
#define EXFILTER_ISA_SSE42_ 0u
#endif
#if defined(__POPCNT__)
#define EXFILTER_ISA_POPCNT_ ::exfilter::isa::kPopcnt
#else
#define EXFILTER_ISA_POPCNT_ 0u
#endif
#if defined(__AVX__)
#define EXFILTER_ISA_AVX_ ::exfilter::isa::kAvx
#else
#define EXFILTER_ISA_AVX_ 0u
#endif
#if defined(__AVX2__)
#define EXFILTER_ISA_AVX2_ ::exfilter::isa::kAvx2
#else
#define EXFILTER_ISA_AVX2_ 0u
#endif
#if defined(__BMI__)
#define EXFILTER_ISA_BMI1_ ::exfilter::isa::kBmi1
#else
#define EXFILTER_ISA_BMI1_ 0u
#endif
#if defined(__BMI2__)
#define EXFILTER_ISA_BMI2_ ::exfilter::isa::kBmi2
#else
#define EXFILTER_ISA_BMI2_ 0u
#endif
#if defined(__FMA__)
#define EXFILTER_ISA_FMA_ ::exfilter::isa::kFma
#else
#define EXFILTER_ISA_FMA_ 0u
#endif
#if defined(__F16C__)
#define EXFILTER_ISA_F16C_ ::exfilter::isa::kF16c
#else
#define EXFILTER_ISA_F16C_ 0u
#endif
#if defined(__LZCNT__)
#define EXFILTER_ISA_LZCNT_ ::exfilter::isa::kLzcnt
#else
#define EXFILTER_ISA_LZCNT_ 0u
#endif
#if defined(__MOVBE__)
#define EXFILTER_ISA_MOVBE_ ::exfilter::isa::kMovbe
#else
#define EXFILTER_ISA_MOVBE_ 0u
#endif
#if defined(__AVX512F__)
#define EXFILTER_ISA_AVX512F_ ::exfilter::isa::kAvx512f
#else
#define EXFILTER_ISA_AVX512F_ 0u
#endif
#if defined(__AVX512BW__)
#define EXFILTER_ISA_AVX512BW_ ::exfilter::isa::kAvx512bw
#else
#define EXFILTER_ISA_AVX512BW_ 0u
#endif
#if defined(__AVX512CD__)
#define EXFILTER_ISA_AVX512CD_ ::exfilter::isa::kAvx512cd
#else
#define EXFILTER_ISA_AVX512CD_ 0u
#endif
#if defined(__AVX512DQ__)
#define EXFILTER_ISA_AVX512DQ_ ::exfilter::isa::kAvx512dq
#else
#define EXFILTER_ISA_AVX512DQ_ 0u
#endif
#if defined(__AVX512VL__)
#define EXFILTER_ISA_AVX512VL_ ::exfilter::isa::kAvx512vl
#else
#define EXFILTER_ISA_AVX512VL_ 0u
#endif
#if defined(__AVX512IFMA__)
#define EXFILTER_ISA_AVX512IFMA_ ::exfilter::isa::kAvx512ifma
#else
#define EXFILTER_ISA_AVX512IFMA_ 0u
#endif
#if defined(__AVX512VBMI__)
#define EXFILTER_ISA_AVX512VBMI_ ::exfilter::isa::kAvx512vbmi
#else
#define EXFILTER_ISA_AVX512VBMI_ 0u
#endif
#if defined(__AVX512VBMI2__)
#define EXFILTER_ISA_AVX512VBMI2_ ::exfilter::isa::kAvx512vbmi2
#else
#define EXFILTER_ISA_AVX512VBMI2_ 0u
#endif
#if defined(__AVX512VNNI__)
#define EXFILTER_ISA_AVX512VNNI_ ::exfilter::isa::kAvx512vnni
#else
#define EXFILTER_ISA_AVX512VNNI_ 0u
#endif
#if defined(__AVX512BITALG__)
#define EXFILTER_ISA_AVX512BITALG_ ::exfilter::isa::kAvx512bitalg
#else
#define EXFILTER_ISA_AVX512BITALG_ 0u
#endif
#if defined(__AVX512VPOPCNTDQ__)
#define EXFILTER_ISA_AVX512VPOPCNTDQ_ ::exfilter::isa::kAvx512vpopcntdq
#else
#define EXFILTER_ISA_AVX512VPOPCNTDQ_ 0u
#endif

#define EXFILTER_ISA_FEATURES_OF_THIS_TU                                                         \
  (EXFILTER_ISA_SSE3_ | EXFILTER_ISA_SSSE3_ | EXFILTER_ISA_SSE41_ | EXFILTER_ISA_SSE42_ |        \
   EXFILTER_ISA_POPCNT_ | EXFILTER_ISA_AVX_ | EXFILTER_ISA_AVX2_ | EXFILTER_ISA_BMI1_ |           \
   EXFILTER_ISA_BMI2_ | EXFILTER_ISA_FMA_ | EXFILTER_ISA_F16C_ | EXFILTER_ISA_LZCNT_ |            \
   EXFILTER_ISA_MOVBE_ | EXFILTER_ISA_AVX512F_ | EXFILTER_ISA_AVX512BW_ |                         \
   EXFILTER_ISA_AVX512CD_ | EXFILTER_ISA_AVX512DQ_ | EXFILTER_ISA_AVX512VL_ |                     \
   EXFILTER_ISA_AVX512IFMA_ | EXFILTER_ISA_AVX512VBMI_ | EXFILTER_ISA_AVX512VBMI2_ |              \
   EXFILTER_ISA_AVX512VNNI_ | EXFILTER_ISA_AVX512BITALG_ | EXFILTER_ISA_AVX512VPOPCNTDQ_)

// x86-64 instruction-set features as bits: the ones a compiler emits unasked
// under some -march (code generation and auto-vectorization; AES, SHA or
// RDRAND only come from intrinsics). kFeaturesOfThisTu reads them off the
// compiler's predefined macros, so a translation unit built with any -march
// (haswell, znver4, native ...) can record what its code may use;
// agent/cpu_check.h compares that with what the CPU has.
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

// The features this translation unit's own flags let the compiler use, from
// its predefined macros. A namespace-scope constexpr has internal linkage, so
// each translation unit that reads it gets the value of its own -march.
constexpr uint32_t kFeaturesOfThisTu = 0u
#ifdef __SSE3__
                                       | kSse3
#endif
#ifdef __SSSE3__
                                       | kSsse3
#endif
#ifdef __SSE4_1__
                                       | kSse41
#endif
#ifdef __SSE4_2__
                                       | kSse42
#endif
#ifdef __POPCNT__
                                       | kPopcnt
#endif
#ifdef __AVX__
                                       | kAvx
#endif
#ifdef __AVX2__
                                       | kAvx2
#endif
#ifdef __BMI__
                                       | kBmi1
#endif
#ifdef __BMI2__
                                       | kBmi2
#endif
#ifdef __FMA__
                                       | kFma
#endif
#ifdef __F16C__
                                       | kF16c
#endif
#ifdef __LZCNT__
                                       | kLzcnt
#endif
#ifdef __MOVBE__
                                       | kMovbe
#endif
#ifdef __AVX512F__
                                       | kAvx512f
#endif
#ifdef __AVX512BW__
                                       | kAvx512bw
#endif
#ifdef __AVX512CD__
                                       | kAvx512cd
#endif
#ifdef __AVX512DQ__
                                       | kAvx512dq
#endif
#ifdef __AVX512VL__
                                       | kAvx512vl
#endif
#ifdef __AVX512IFMA__
                                       | kAvx512ifma
#endif
#ifdef __AVX512VBMI__
                                       | kAvx512vbmi
#endif
#ifdef __AVX512VBMI2__
                                       | kAvx512vbmi2
#endif
#ifdef __AVX512VNNI__
                                       | kAvx512vnni
#endif
#ifdef __AVX512BITALG__
                                       | kAvx512bitalg
#endif
#ifdef __AVX512VPOPCNTDQ__
                                       | kAvx512vpopcntdq
#endif
    ;

}  // namespace exfilter::isa

#include <speex/speex_echo.h>
#include <speex/speex_preprocess.h>
#include <speex/speex_resampler.h>

/* The ctl requests are macros with pointer arguments; typed wrappers keep the Swift side simple. */
static inline int sipc_echo_set_rate(SpeexEchoState *st, int rate) {
    return speex_echo_ctl(st, SPEEX_ECHO_SET_SAMPLING_RATE, &rate);
}
static inline int sipc_preprocess_set_int(SpeexPreprocessState *st, int request, int value) {
    return speex_preprocess_ctl(st, request, &value);
}
static inline int sipc_preprocess_set_float(SpeexPreprocessState *st, int request, float value) {
    return speex_preprocess_ctl(st, request, &value);
}
static inline int sipc_preprocess_set_echo(SpeexPreprocessState *st, SpeexEchoState *echo) {
    return speex_preprocess_ctl(st, SPEEX_PREPROCESS_SET_ECHO_STATE, echo);
}
static inline int sipc_preprocess_denoise(void) { return SPEEX_PREPROCESS_SET_DENOISE; }
static inline int sipc_preprocess_agc(void) { return SPEEX_PREPROCESS_SET_AGC; }
static inline int sipc_preprocess_agc_level(void) { return SPEEX_PREPROCESS_SET_AGC_LEVEL; }
static inline int sipc_preprocess_noise_suppress(void) { return SPEEX_PREPROCESS_SET_NOISE_SUPPRESS; }

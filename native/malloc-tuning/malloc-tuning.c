// mallopt() for node: the agent tunes glibc's allocator for its allocation pattern (see
// src/common/malloc-tuning.ts for why). Elsewhere than glibc it does nothing and says so.
#include <node_api.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

// tune(mmapThreshold, arenaMax): each applied when > 0; returns whether all were applied.
static napi_value Tune(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  int64_t threshold = 0;
  int64_t arenas = 0;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 2
      || napi_get_value_int64(env, argv[0], &threshold) != napi_ok
      || napi_get_value_int64(env, argv[1], &arenas) != napi_ok) {
    napi_throw_type_error(env, NULL, "tune(mmapThreshold, arenaMax): two numbers");
    return NULL;
  }
  int ok = 1;
#ifdef __GLIBC__
  if (threshold > 0 && mallopt(M_MMAP_THRESHOLD, (int)threshold) != 1) ok = 0;
  if (arenas > 0 && mallopt(M_ARENA_MAX, (int)arenas) != 1) ok = 0;
#else
  ok = 0;
#endif
  napi_value result;
  napi_get_boolean(env, ok, &result);
  return result;
}

NAPI_MODULE_INIT() {
  napi_value fn;
  napi_create_function(env, "tune", NAPI_AUTO_LENGTH, Tune, NULL, &fn);
  napi_set_named_property(env, exports, "tune", fn);
  return exports;
}

// metallb-ts native addon: thin syscall wrappers only (sockets, setsockopt, polling).
// No protocol logic lives here; see native/README.md. The layer-2 issue fills in the calls.
#include <napi.h>

static Napi::Value AbiVersion(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), 1);
}

static Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("abiVersion", Napi::Function::New(env, AbiVersion));
  return exports;
}

NODE_API_MODULE(metallb_native, Init)

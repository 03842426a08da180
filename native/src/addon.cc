// metallb-ts native addon: thin syscall wrappers only (sockets, socket options, BPF attach, polling, netns).
// No protocol logic lives here: frames, socket addresses and option structs are built and parsed in
// TypeScript (src/net/). Every call is synchronous and non-blocking; receive readiness comes from a uv_poll_t
// on the Node event loop, so there are no threads. A failed syscall throws an Error whose `code` is the errno
// name ('EPERM', 'ENODEV'), with `errno` and `syscall` set as Node's own system errors have them.
#include <napi.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sched.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <uv.h>

#include <cstdlib>
#include <memory>
#include <string>

namespace {

Napi::Value ThrowErrno(Napi::Env env, const char* syscall, int err) {
  const char* name = strerrorname_np(err);
  std::string message = std::string(syscall) + ": " + strerror(err);
  Napi::Error error = Napi::Error::New(env, message);
  error.Set("code", Napi::String::New(env, name != nullptr ? name : "EUNKNOWN"));
  error.Set("errno", Napi::Number::New(env, err));
  error.Set("syscall", Napi::String::New(env, syscall));
  error.ThrowAsJavaScriptException();
  return env.Undefined();
}

Napi::Value ThrowType(Napi::Env env, const char* message) {
  Napi::TypeError::New(env, message).ThrowAsJavaScriptException();
  return env.Undefined();
}

bool IsInt(const Napi::CallbackInfo& info, size_t i) {
  return info.Length() > i && info[i].IsNumber();
}

// Runs `fn` with the calling thread inside the network namespace at `path` (empty = stay where we are), then
// moves back. Only the calling thread moves, nothing else runs in between, and sockets keep the namespace
// they were created in. Failing to move back would leave the Node main thread in a foreign namespace: abort.
template <typename Fn>
int InNetns(const std::string& path, int* err, Fn fn) {
  if (path.empty()) return fn();
  int target = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (target < 0) { *err = errno; return -1; }
  int home = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
  if (home < 0) { *err = errno; close(target); return -1; }
  if (setns(target, CLONE_NEWNET) != 0) {
    *err = errno;
    close(target);
    close(home);
    return -1;
  }
  int result = fn();
  int saved = errno;
  if (setns(home, CLONE_NEWNET) != 0) abort();
  close(target);
  close(home);
  errno = saved;
  return result;
}

std::string OptionalString(const Napi::CallbackInfo& info, size_t i) {
  if (info.Length() > i && info[i].IsString()) return info[i].As<Napi::String>().Utf8Value();
  return "";
}

// socket(domain, type, protocol, netnsPath?) -> fd. The caller passes SOCK_NONBLOCK|SOCK_CLOEXEC in `type`.
Napi::Value Socket(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!IsInt(info, 0) || !IsInt(info, 1) || !IsInt(info, 2)) return ThrowType(env, "socket(domain, type, protocol, netns?)");
  int domain = info[0].As<Napi::Number>().Int32Value();
  int type = info[1].As<Napi::Number>().Int32Value();
  int protocol = info[2].As<Napi::Number>().Int32Value();
  int err = 0;
  int fd = InNetns(OptionalString(info, 3), &err, [&] {
    int s = socket(domain, type, protocol);
    if (s < 0) err = errno;
    return s;
  });
  if (fd < 0) return ThrowErrno(env, "socket", err);
  return Napi::Number::New(env, fd);
}

// ifNameToIndex(name, netnsPath?) -> ifindex
Napi::Value IfNameToIndex(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsString()) return ThrowType(env, "ifNameToIndex(name, netns?)");
  std::string name = info[0].As<Napi::String>().Utf8Value();
  int err = 0;
  int index = InNetns(OptionalString(info, 1), &err, [&] {
    unsigned int i = if_nametoindex(name.c_str());
    if (i == 0) err = errno;
    return static_cast<int>(i);
  });
  if (index <= 0) return ThrowErrno(env, "if_nametoindex", err != 0 ? err : ENODEV);
  return Napi::Number::New(env, index);
}

bool FdAndBuffer(const Napi::CallbackInfo& info, size_t bufferAt, int* fd, Napi::Buffer<uint8_t>* buf) {
  if (!IsInt(info, 0) || info.Length() <= bufferAt || !info[bufferAt].IsBuffer()) return false;
  *fd = info[0].As<Napi::Number>().Int32Value();
  *buf = info[bufferAt].As<Napi::Buffer<uint8_t>>();
  return true;
}

// bind(fd, sockaddr: Buffer)
Napi::Value Bind(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int fd;
  Napi::Buffer<uint8_t> addr;
  if (!FdAndBuffer(info, 1, &fd, &addr)) return ThrowType(env, "bind(fd, sockaddr)");
  if (bind(fd, reinterpret_cast<const sockaddr*>(addr.Data()), addr.Length()) != 0) return ThrowErrno(env, "bind", errno);
  return env.Undefined();
}

// connect(fd, sockaddr: Buffer) -> true when connected at once, false when in progress (non-blocking socket)
Napi::Value Connect(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int fd;
  Napi::Buffer<uint8_t> addr;
  if (!FdAndBuffer(info, 1, &fd, &addr)) return ThrowType(env, "connect(fd, sockaddr)");
  if (connect(fd, reinterpret_cast<const sockaddr*>(addr.Data()), addr.Length()) == 0) return Napi::Boolean::New(env, true);
  if (errno == EINPROGRESS) return Napi::Boolean::New(env, false);
  return ThrowErrno(env, "connect", errno);
}

// listen(fd, backlog)
Napi::Value Listen(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!IsInt(info, 0) || !IsInt(info, 1)) return ThrowType(env, "listen(fd, backlog)");
  if (listen(info[0].As<Napi::Number>().Int32Value(), info[1].As<Napi::Number>().Int32Value()) != 0) {
    return ThrowErrno(env, "listen", errno);
  }
  return env.Undefined();
}

// setsockopt(fd, level, name, value: number | Buffer); a number is passed as a C int.
Napi::Value SetSockOpt(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!IsInt(info, 0) || !IsInt(info, 1) || !IsInt(info, 2) || info.Length() < 4) {
    return ThrowType(env, "setsockopt(fd, level, name, value)");
  }
  int fd = info[0].As<Napi::Number>().Int32Value();
  int level = info[1].As<Napi::Number>().Int32Value();
  int name = info[2].As<Napi::Number>().Int32Value();
  int rc;
  if (info[3].IsNumber()) {
    int value = info[3].As<Napi::Number>().Int32Value();
    rc = setsockopt(fd, level, name, &value, sizeof value);
  } else if (info[3].IsBuffer()) {
    Napi::Buffer<uint8_t> value = info[3].As<Napi::Buffer<uint8_t>>();
    rc = setsockopt(fd, level, name, value.Data(), value.Length());
  } else {
    return ThrowType(env, "setsockopt value must be a number or a Buffer");
  }
  if (rc != 0) return ThrowErrno(env, "setsockopt", errno);
  return env.Undefined();
}

// getsockopt(fd, level, name, maxBytes) -> Buffer (the bytes the kernel wrote)
Napi::Value GetSockOpt(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!IsInt(info, 0) || !IsInt(info, 1) || !IsInt(info, 2) || !IsInt(info, 3)) {
    return ThrowType(env, "getsockopt(fd, level, name, maxBytes)");
  }
  uint32_t max = info[3].As<Napi::Number>().Uint32Value();
  Napi::Buffer<uint8_t> out = Napi::Buffer<uint8_t>::New(env, max);
  socklen_t len = max;
  if (getsockopt(info[0].As<Napi::Number>().Int32Value(), info[1].As<Napi::Number>().Int32Value(),
                 info[2].As<Napi::Number>().Int32Value(), out.Data(), &len) != 0) {
    return ThrowErrno(env, "getsockopt", errno);
  }
  return Napi::Buffer<uint8_t>::Copy(env, out.Data(), len);
}

template <int (*Call)(int, sockaddr*, socklen_t*)>
Napi::Value SockName(const Napi::CallbackInfo& info, const char* syscall) {
  Napi::Env env = info.Env();
  if (!IsInt(info, 0)) return ThrowType(env, "expected (fd)");
  sockaddr_storage storage{};
  socklen_t len = sizeof storage;
  if (Call(info[0].As<Napi::Number>().Int32Value(), reinterpret_cast<sockaddr*>(&storage), &len) != 0) {
    return ThrowErrno(env, syscall, errno);
  }
  return Napi::Buffer<uint8_t>::Copy(env, reinterpret_cast<uint8_t*>(&storage), len);
}

// getsockname(fd) -> sockaddr Buffer; getpeername(fd) -> sockaddr Buffer
Napi::Value GetSockName(const Napi::CallbackInfo& info) { return SockName<getsockname>(info, "getsockname"); }
Napi::Value GetPeerName(const Napi::CallbackInfo& info) { return SockName<getpeername>(info, "getpeername"); }

// attachFilter(fd, program: Buffer of struct sock_filter, 8 bytes each, host byte order)
Napi::Value AttachFilter(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int fd;
  Napi::Buffer<uint8_t> program;
  if (!FdAndBuffer(info, 1, &fd, &program) || program.Length() % sizeof(sock_filter) != 0 || program.Length() == 0) {
    return ThrowType(env, "attachFilter(fd, program: Buffer of 8-byte instructions)");
  }
  sock_fprog fprog{};
  fprog.len = static_cast<unsigned short>(program.Length() / sizeof(sock_filter));
  fprog.filter = reinterpret_cast<sock_filter*>(program.Data());
  if (setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &fprog, sizeof fprog) != 0) {
    return ThrowErrno(env, "setsockopt(SO_ATTACH_FILTER)", errno);
  }
  return env.Undefined();
}

// send(fd, data: Buffer, sockaddr?: Buffer) -> bytes sent. Throws EAGAIN when the socket buffer is full.
Napi::Value Send(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int fd;
  Napi::Buffer<uint8_t> data;
  if (!FdAndBuffer(info, 1, &fd, &data)) return ThrowType(env, "send(fd, data, sockaddr?)");
  ssize_t n;
  if (info.Length() > 2 && info[2].IsBuffer()) {
    Napi::Buffer<uint8_t> to = info[2].As<Napi::Buffer<uint8_t>>();
    n = sendto(fd, data.Data(), data.Length(), MSG_DONTWAIT, reinterpret_cast<const sockaddr*>(to.Data()), to.Length());
  } else {
    n = send(fd, data.Data(), data.Length(), MSG_DONTWAIT);
  }
  if (n < 0) return ThrowErrno(env, "send", errno);
  return Napi::Number::New(env, static_cast<double>(n));
}

// recv(fd, into: Buffer) -> frame length (may exceed the buffer: truncated), or -1 when nothing is queued.
Napi::Value Recv(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int fd;
  Napi::Buffer<uint8_t> into;
  if (!FdAndBuffer(info, 1, &fd, &into)) return ThrowType(env, "recv(fd, into)");
  ssize_t n = recv(fd, into.Data(), into.Length(), MSG_DONTWAIT | MSG_TRUNC);
  if (n < 0) {
    if (errno == EAGAIN || errno == EWOULDBLOCK) return Napi::Number::New(env, -1);
    return ThrowErrno(env, "recv", errno);
  }
  return Napi::Number::New(env, static_cast<double>(n));
}

// recvFrom(fd, into: Buffer) -> { length, from: sockaddr Buffer, ttl } or null when nothing is queued. `length`
// may exceed the buffer (truncated). `ttl` is the IPv4 TTL or IPv6 hop limit from the IP_TTL / IPV6_HOPLIMIT
// control message (enable IP_RECVTTL / IPV6_RECVHOPLIMIT first), or -1 when the kernel gave none.
Napi::Value RecvFrom(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int fd;
  Napi::Buffer<uint8_t> into;
  if (!FdAndBuffer(info, 1, &fd, &into)) return ThrowType(env, "recvFrom(fd, into)");
  sockaddr_storage from{};
  iovec iov{into.Data(), into.Length()};
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int)) * 2];
  msghdr msg{};
  msg.msg_name = &from;
  msg.msg_namelen = sizeof from;
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = control;
  msg.msg_controllen = sizeof control;
  ssize_t n = recvmsg(fd, &msg, MSG_DONTWAIT | MSG_TRUNC);
  if (n < 0) {
    if (errno == EAGAIN || errno == EWOULDBLOCK) return env.Null();
    return ThrowErrno(env, "recvmsg", errno);
  }
  int ttl = -1;
  for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c != nullptr; c = CMSG_NXTHDR(&msg, c)) {
    bool v4 = c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_TTL;
    bool v6 = c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_HOPLIMIT;
    if ((v4 || v6) && c->cmsg_len >= CMSG_LEN(sizeof(int))) memcpy(&ttl, CMSG_DATA(c), sizeof ttl);
  }
  Napi::Object out = Napi::Object::New(env);
  out.Set("length", Napi::Number::New(env, static_cast<double>(n)));
  out.Set("from", Napi::Buffer<uint8_t>::Copy(env, reinterpret_cast<uint8_t*>(&from), msg.msg_namelen));
  out.Set("ttl", Napi::Number::New(env, ttl));
  return out;
}

// close(fd)
Napi::Value Close(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!IsInt(info, 0)) return ThrowType(env, "close(fd)");
  if (close(info[0].As<Napi::Number>().Int32Value()) != 0) return ThrowErrno(env, "close", errno);
  return env.Undefined();
}

// Poller: readiness of one fd on the Node event loop (uv_poll_t). new Poller(fd, (status, events) => {}),
// start(events) with UV_READABLE=1 / UV_WRITABLE=2, stop(), close(). `status` is 0 or a negative libuv error.
class Poller : public Napi::ObjectWrap<Poller> {
 public:
  static Napi::Function Define(Napi::Env env) {
    return DefineClass(env, "Poller", {
      InstanceMethod<&Poller::Start>("start"),
      InstanceMethod<&Poller::Stop>("stop"),
      InstanceMethod<&Poller::Close>("close"),
    });
  }

  explicit Poller(const Napi::CallbackInfo& info) : Napi::ObjectWrap<Poller>(info) {
    Napi::Env env = info.Env();
    if (!IsInt(info, 0) || info.Length() < 2 || !info[1].IsFunction()) {
      ThrowType(env, "new Poller(fd, callback)");
      return;
    }
    callback_ = Napi::Persistent(info[1].As<Napi::Function>());
    context_ = std::make_unique<Napi::AsyncContext>(env, "metallb:poller");
    uv_loop_t* loop = nullptr;
    if (napi_get_uv_event_loop(env, &loop) != napi_ok) {
      ThrowType(env, "no uv loop");
      return;
    }
    handle_ = new uv_poll_t;
    int rc = uv_poll_init(loop, handle_, info[0].As<Napi::Number>().Int32Value());
    if (rc != 0) {
      delete handle_;
      handle_ = nullptr;
      ThrowErrno(env, "uv_poll_init", -rc);
      return;
    }
    handle_->data = this;
  }

  ~Poller() override { CloseHandle(); }

 private:
  Napi::Value Start(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (handle_ == nullptr) return ThrowType(env, "poller is closed");
    int events = IsInt(info, 0) ? info[0].As<Napi::Number>().Int32Value() : UV_READABLE;
    int rc = uv_poll_start(handle_, events, OnEvent);
    if (rc != 0) return ThrowErrno(env, "uv_poll_start", -rc);
    if (!active_) {
      Ref();  // alive while polling, even if JS drops every reference
      active_ = true;
    }
    return env.Undefined();
  }

  Napi::Value Stop(const Napi::CallbackInfo& info) {
    StopPolling();
    return info.Env().Undefined();
  }

  Napi::Value Close(const Napi::CallbackInfo& info) {
    StopPolling();
    CloseHandle();
    return info.Env().Undefined();
  }

  void StopPolling() {
    if (handle_ != nullptr) uv_poll_stop(handle_);
    if (active_) {
      active_ = false;
      Unref();
    }
  }

  void CloseHandle() {
    if (handle_ == nullptr) return;
    handle_->data = nullptr;
    uv_close(reinterpret_cast<uv_handle_t*>(handle_), [](uv_handle_t* h) { delete reinterpret_cast<uv_poll_t*>(h); });
    handle_ = nullptr;
  }

  static void OnEvent(uv_poll_t* handle, int status, int events) {
    auto* self = static_cast<Poller*>(handle->data);
    if (self == nullptr || !self->active_) return;
    Napi::Env env = self->Env();
    Napi::HandleScope scope(env);
    self->callback_.MakeCallback(env.Global(), {Napi::Number::New(env, status), Napi::Number::New(env, events)},
                                 *self->context_);
  }

  Napi::FunctionReference callback_;
  std::unique_ptr<Napi::AsyncContext> context_;
  uv_poll_t* handle_ = nullptr;
  bool active_ = false;
};

Napi::Value AbiVersion(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), 2);
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("abiVersion", Napi::Function::New(env, AbiVersion));
  exports.Set("socket", Napi::Function::New(env, Socket));
  exports.Set("ifNameToIndex", Napi::Function::New(env, IfNameToIndex));
  exports.Set("bind", Napi::Function::New(env, Bind));
  exports.Set("connect", Napi::Function::New(env, Connect));
  exports.Set("listen", Napi::Function::New(env, Listen));
  exports.Set("setsockopt", Napi::Function::New(env, SetSockOpt));
  exports.Set("getsockopt", Napi::Function::New(env, GetSockOpt));
  exports.Set("getsockname", Napi::Function::New(env, GetSockName));
  exports.Set("getpeername", Napi::Function::New(env, GetPeerName));
  exports.Set("attachFilter", Napi::Function::New(env, AttachFilter));
  exports.Set("send", Napi::Function::New(env, Send));
  exports.Set("recv", Napi::Function::New(env, Recv));
  exports.Set("recvFrom", Napi::Function::New(env, RecvFrom));
  exports.Set("close", Napi::Function::New(env, Close));
  exports.Set("Poller", Poller::Define(env));
  return exports;
}

}  // namespace

NODE_API_MODULE(metallb_native, Init)

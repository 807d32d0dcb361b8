// rxmp's native layer: the few things JavaScript cannot do by itself.
//
//   memfd(size)               anonymous shared memory, as a file descriptor
//   shmOpen(name, create, n)  a named POSIX segment (shm_open), as [fd, size]
//   shmUnlink(name)           removes a segment's name
//   map(fd, size)             maps a descriptor as a real SharedArrayBuffer
//   release(sab)              gives a mapping's shared pages back at once
//   mkfifo(path)              a named pipe (the doorbells that wake waiters), opened
//   closeFd(fd)               closes a descriptor this addon returned
//   closeAtThreadEnd(fd, yes) closes it when this thread's environment goes
//                             (however it ends: worker.terminate() runs no JS)
//   dieWithParent(signal)     the kernel sends `signal` to this process when its
//                             parent dies (Linux prctl PR_SET_PDEATHSIG); false elsewhere
//
// Everything else (opening /proc/<pid>/fd/<n>, fstat, closing what node:fs
// opened, reading and writing the doorbell) is done by JavaScript with
// node:fs. Errors are thrown as Node's own errno errors (`code`, `errno`,
// `syscall`, `path`).
//
// The descriptors this addon returns are not node:fs's: in a worker thread
// Node closes at the thread's end every descriptor fs.open gave it, so a
// descriptor that is also owned elsewhere (the doorbell's, owned by its
// stream) must not come from fs.open, or it is closed twice, the second time
// under whatever another thread opened meanwhile with the same number; and
// fs.closeSync of a descriptor fs did not open warns there.
//
// The SharedArrayBuffer is made over the mapping with V8's BackingStore API;
// N-API has no way to wrap external memory as a *shared* buffer, so this
// addon is built against node.h and one Node ABI (see the README).
#include <node.h>
#include <v8.h>

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <set>
#include <string>

#include <dlfcn.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/prctl.h>
#include <sys/syscall.h>
#endif

namespace {

using v8::Array;
using v8::BackingStore;
using v8::FunctionCallbackInfo;
using v8::Integer;
using v8::Isolate;
using v8::Local;
using v8::Number;
using v8::SharedArrayBuffer;
using v8::String;
using v8::Value;

void ThrowErrno(Isolate* isolate, int err, const char* syscall, const std::string& path = "") {
  isolate->ThrowException(node::ErrnoException(isolate, err, syscall, nullptr, path.empty() ? nullptr : path.c_str()));
}

std::string StringArg(Isolate* isolate, Local<Value> value) {
  String::Utf8Value utf8(isolate, value);
  return *utf8 ? std::string(*utf8) : std::string();
}

// Sizes arrive as JS numbers, already checked by the caller to be whole and in range.
off_t SizeArg(Local<Value> value) {
  return static_cast<off_t>(value.As<Number>()->Value());
}

// memfd(size) -> fd. The memory lives until its last descriptor and mapping
// are gone, whoever holds them, so a SIGKILLed holder leaks nothing.
void Memfd(const FunctionCallbackInfo<Value>& info) {
  Isolate* isolate = info.GetIsolate();
  off_t size = SizeArg(info[0]);
#ifdef __linux__
  int fd = static_cast<int>(syscall(SYS_memfd_create, "rxmp", 1u /* MFD_CLOEXEC */));
  if (fd < 0) return ThrowErrno(isolate, errno, "memfd_create");
#else
  // No memfd: a named segment, unlinked at once, is the same thing.
  std::string name = "/rxmp-anon-" + std::to_string(getpid()) + "-" + std::to_string(reinterpret_cast<uintptr_t>(&info));
  int fd = shm_open(name.c_str(), O_CREAT | O_EXCL | O_RDWR, 0600);
  if (fd < 0) return ThrowErrno(isolate, errno, "shm_open", name);
  shm_unlink(name.c_str());
#endif
  if (ftruncate(fd, size) != 0) {
    int err = errno;
    close(fd);
    return ThrowErrno(isolate, err, "ftruncate");
  }
  info.GetReturnValue().Set(Integer::New(isolate, fd));
}

// shmOpen(name, create, size) -> [fd, size]. Creating is exclusive (an
// existing name is EEXIST) with mode 0600; attaching reads the size back.
void ShmOpen(const FunctionCallbackInfo<Value>& info) {
  Isolate* isolate = info.GetIsolate();
  std::string name = StringArg(isolate, info[0]);
  bool create = info[1]->IsTrue();
  int fd = shm_open(name.c_str(), create ? O_CREAT | O_EXCL | O_RDWR : O_RDWR, 0600);
  if (fd < 0) return ThrowErrno(isolate, errno, "shm_open", name);
  if (create && ftruncate(fd, SizeArg(info[2])) != 0) {
    int err = errno;
    close(fd);
    shm_unlink(name.c_str());  // ours: made a moment ago, never handed out
    return ThrowErrno(isolate, err, "ftruncate", name);
  }
  struct stat st;
  if (fstat(fd, &st) != 0) {
    int err = errno;
    close(fd);
    return ThrowErrno(isolate, err, "fstat", name);
  }
  Local<Array> result = Array::New(isolate, 2);
  result->Set(isolate->GetCurrentContext(), 0, Integer::New(isolate, fd)).Check();
  result->Set(isolate->GetCurrentContext(), 1, Number::New(isolate, static_cast<double>(st.st_size))).Check();
  info.GetReturnValue().Set(result);
}

void ShmUnlink(const FunctionCallbackInfo<Value>& info) {
  Isolate* isolate = info.GetIsolate();
  std::string name = StringArg(isolate, info[0]);
  if (shm_unlink(name.c_str()) != 0) ThrowErrno(isolate, errno, "shm_unlink", name);
}

// Runs when V8 frees the buffer's last reference, in whichever thread that is.
void Unmap(void* data, size_t length, void* /* deleter_data */) {
  munmap(data, length);
}

// map(fd, size) -> SharedArrayBuffer over MAP_SHARED pages. The descriptor
// may be closed afterwards; the mapping keeps the memory. A zero size maps
// nothing and gives an empty buffer.
void Map(const FunctionCallbackInfo<Value>& info) {
  Isolate* isolate = info.GetIsolate();
  int fd = info[0].As<Integer>()->Value();
  size_t size = static_cast<size_t>(SizeArg(info[1]));
  if (size == 0) {
    info.GetReturnValue().Set(SharedArrayBuffer::New(isolate, 0));
    return;
  }
  void* data = mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  if (data == MAP_FAILED) return ThrowErrno(isolate, errno, "mmap");
  std::shared_ptr<BackingStore> store = SharedArrayBuffer::NewBackingStore(data, size, Unmap, nullptr);
  info.GetReturnValue().Set(SharedArrayBuffer::New(isolate, std::move(store)));
}

// release(sab): SharedMemory.close(). A SharedArrayBuffer cannot be detached
// and its views may still be used, so the shared pages are replaced in place
// by private zero pages: the segment is let go now, views made from it see
// zeros that nobody else sees, and the buffer's deleter unmaps the private
// pages when it is collected.
void Release(const FunctionCallbackInfo<Value>& info) {
  Isolate* isolate = info.GetIsolate();
  std::shared_ptr<BackingStore> store = info[0].As<SharedArrayBuffer>()->GetBackingStore();
  if (store->ByteLength() == 0) return;
  void* data = mmap(store->Data(), store->ByteLength(), PROT_READ | PROT_WRITE, MAP_FIXED | MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (data == MAP_FAILED) ThrowErrno(isolate, errno, "mmap");
}

// mkfifo(path) -> fd: makes a named pipe (mode 0600) and opens it for
// reading and writing, non-blocking, so it never sees "no writer left".
void Mkfifo(const FunctionCallbackInfo<Value>& info) {
  Isolate* isolate = info.GetIsolate();
  std::string path = StringArg(isolate, info[0]);
  if (mkfifo(path.c_str(), 0600) != 0) return ThrowErrno(isolate, errno, "mkfifo", path);
  int fd = open(path.c_str(), O_RDWR | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) return ThrowErrno(isolate, errno, "open", path);
  info.GetReturnValue().Set(Integer::New(isolate, fd));
}

// The descriptors to close when this thread's Node environment is freed
// (see closeAtThreadEnd); one set per thread, made at its first use.
thread_local std::set<int>* closedAtEnd = nullptr;

void CloseAtEnd(void* arg) {
  auto* fds = static_cast<std::set<int>*>(arg);
  for (int fd : *fds) close(fd);
  if (closedAtEnd == fds) closedAtEnd = nullptr;
  delete fds;
}

// closeFd(fd): a descriptor memfd, shmOpen or mkfifo returned.
void CloseFd(const FunctionCallbackInfo<Value>& info) {
  Isolate* isolate = info.GetIsolate();
  int fd = info[0].As<Integer>()->Value();
  if (closedAtEnd != nullptr) closedAtEnd->erase(fd);
  if (close(fd) != 0) ThrowErrno(isolate, errno, "close");
}

// closeAtThreadEnd(fd, yes): closes fd (one memfd or shmOpen returned) when
// this thread's environment is freed, or (yes false) no longer. A worker
// ended by terminate() runs no JavaScript at its end, but its environment's
// cleanup hooks run.
void CloseAtThreadEnd(const FunctionCallbackInfo<Value>& info) {
  int fd = info[0].As<Integer>()->Value();
  if (!info[1]->IsTrue()) {
    if (closedAtEnd != nullptr) closedAtEnd->erase(fd);
    return;
  }
  if (closedAtEnd == nullptr) {
    closedAtEnd = new std::set<int>();
    node::AddEnvironmentCleanupHook(info.GetIsolate(), CloseAtEnd, closedAtEnd);
  }
  closedAtEnd->insert(fd);
}

// Keeps this addon loaded until the process ends. V8 calls Unmap (above)
// when it frees a buffer, and for a worker thread that happens as its
// isolate is torn down, after Node has unloaded the addons the thread
// loaded: were this the last load, Unmap would be gone by then.
void StayLoaded() {
  Dl_info self;
  if (dladdr(reinterpret_cast<void*>(&Unmap), &self) != 0 && self.dli_fname != nullptr) {
    dlopen(self.dli_fname, RTLD_NOW | RTLD_NODELETE);  // never closed, on purpose
  }
}

// dieWithParent(signal) -> whether it is set. Linux only: the kernel sends the
// signal when the thread that forked this process ends, which for a child
// forked by a main thread is the parent process's death, SIGKILL included.
// The caller checks afterwards that its parent is still the one it expects
// (it may have died before this call).
void DieWithParent(const FunctionCallbackInfo<Value>& info) {
  Isolate* isolate = info.GetIsolate();
#ifdef __linux__
  int signal = static_cast<int>(info[0].As<Number>()->Value());
  if (prctl(PR_SET_PDEATHSIG, signal) != 0) return ThrowErrno(isolate, errno, "prctl");
  info.GetReturnValue().Set(true);
#else
  info.GetReturnValue().Set(false);
#endif
}

}  // namespace

// Context-aware, so that every worker thread can load it too.
NODE_MODULE_INIT(/* exports, module, context */) {
  StayLoaded();
  NODE_SET_METHOD(exports, "memfd", Memfd);
  NODE_SET_METHOD(exports, "shmOpen", ShmOpen);
  NODE_SET_METHOD(exports, "shmUnlink", ShmUnlink);
  NODE_SET_METHOD(exports, "map", Map);
  NODE_SET_METHOD(exports, "release", Release);
  NODE_SET_METHOD(exports, "mkfifo", Mkfifo);
  NODE_SET_METHOD(exports, "closeFd", CloseFd);
  NODE_SET_METHOD(exports, "closeAtThreadEnd", CloseAtThreadEnd);
  NODE_SET_METHOD(exports, "dieWithParent", DieWithParent);
}

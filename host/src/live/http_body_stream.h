// HttpBodyStream: the body of a reply that is sent while it is produced
// (Transfer-Encoding: chunked), e.g. a plugin's resource reply that comes in
// several messages. The producer writes chunks from any thread; the HTTP
// session takes them on its loop and writes them out.
//
// Flow control: Write returns false once more than max_queued_bytes wait to
// be written; the producer then stops until the WhenRoom callback runs (the
// queue fell to half). If the client goes away, Cancelled() turns true and
// the on_cancel callback runs, so the producer can stop its source.
//
// Thread-safety: every method from any thread. Callbacks run without the
// stream's lock held, on the thread that caused them.
#ifndef RUNNEL_HOST_LIVE_HTTP_BODY_STREAM_H_
#define RUNNEL_HOST_LIVE_HTTP_BODY_STREAM_H_

#include <absl/base/thread_annotations.h>
#include <absl/synchronization/mutex.h>

#include <cstddef>
#include <functional>
#include <string>

namespace runnel::host {

class HttpBodyStream {
 public:
  explicit HttpBodyStream(size_t max_queued_bytes = 1024 * 1024)
      : max_queued_bytes_(max_queued_bytes) {}

  // Producer. Queues `chunk`; false when the queue is now over the limit.
  bool Write(std::string chunk);
  // Runs `on_room` once the queue is at most half full (at once if it is).
  void WhenRoom(std::function<void()> on_room);
  // The body is complete (ok), or broken (the connection is then closed
  // without the last chunk, so the client sees a cut reply).
  void End(bool ok);
  // Runs once if the client goes away before the end.
  void OnCancel(std::function<void()> on_cancel);

  // Consumer (the session). `wake` runs whenever there is something new
  // to take (a chunk or the end).
  void SetWake(std::function<void()> wake);
  struct Taken {
    std::string data;
    bool ended = false;
    bool ok = true;
  };
  Taken Take();
  void Cancel();

 private:
  const size_t max_queued_bytes_;
  absl::Mutex mu_;
  std::string queued_ ABSL_GUARDED_BY(mu_);
  bool ended_ ABSL_GUARDED_BY(mu_) = false;
  bool ok_ ABSL_GUARDED_BY(mu_) = true;
  bool cancelled_ ABSL_GUARDED_BY(mu_) = false;
  std::function<void()> wake_ ABSL_GUARDED_BY(mu_);
  std::function<void()> on_room_ ABSL_GUARDED_BY(mu_);
  std::function<void()> on_cancel_ ABSL_GUARDED_BY(mu_);
};

}  // namespace runnel::host

#endif  // RUNNEL_HOST_LIVE_HTTP_BODY_STREAM_H_

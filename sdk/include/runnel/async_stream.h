// Non-blocking RunStream: AsyncRunStreamHandler and StreamChannel.
//
// The blocking RunStreamHandler (stream.h) holds one thread per running
// stream. An AsyncRunStreamHandler holds none: every stream of the plugin is
// driven by callbacks and timers on one shared executor with a fixed number
// of threads (ServeOptions::stream_threads), so ten thousand streams cost
// the same threads as one.
//
// Shape of a stream: StartStream is called once per RunStream call; it
// arranges the stream's work on its StreamChannel (a timer with Every or
// After, a cancel callback with OnCancel) and returns at once. Timer
// callbacks send packets without blocking. The stream lives until the author
// calls End or the host cancels it (unsubscribe, disconnect, plugin stop);
// the channel then stops its timers and calls the OnCancel callback.
//
// Serial per stream: StartStream, the timer callbacks and the OnCancel
// callback of one stream never run at the same time and each sees what the
// previous one wrote, so per-stream state used only from them needs no lock.
// Callbacks of different streams run in parallel. A callback must not block:
// it holds one of the executor's few threads while it runs.
//
// Errors: an exception thrown by StartStream or a callback is caught by the
// SDK, logged, and ends the stream with kInternal; it never reaches a thread
// boundary.
//
// Ownership: the SDK owns the RunStream call; the author may keep the
// shared_ptr<StreamChannel> for as long as it likes. Once the stream has
// ended every method is a harmless no-op (sends return kCancelled, timers
// return 0), no callback of it runs again (except its one OnCancel), and the
// SDK drops the callbacks it holds, so a callback that captures the
// channel's shared_ptr does not leak it.
//
// Thread-safety: StreamChannel methods may be called from any thread,
// including from inside the stream's own callbacks. Handlers must be
// thread-safe: StartStream runs for many streams in parallel.
#ifndef RUNNEL_ASYNC_STREAM_H_
#define RUNNEL_ASYNC_STREAM_H_

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string_view>

#include "runnel/frame.h"
#include "runnel/frame_json.h"
#include "runnel/status.h"
#include "runnel/stream.h"

namespace runnel {

// Packets (and bytes) a stream may have waiting to be written to the host.
// A send beyond either limit is refused with kUnavailable. Small on
// purpose: a plugin may run ten thousand streams, and a live stream is
// better served by dropping what the host cannot take than by queueing it.
inline constexpr size_t kMaxQueuedStreamPackets = 128;
inline constexpr size_t kMaxQueuedStreamBytes = 256 * 1024;

class StreamChannel {
 public:
  using Callback = std::function<void()>;
  using TimerId = uint64_t;  // 0 is never a timer

  virtual ~StreamChannel() = default;

  // Non-blocking sends; packets are written in the order sent.
  //   Ok:           queued.
  //   kUnavailable: the send queue is full (kMaxQueuedStreamPackets or
  //                 kMaxQueuedStreamBytes, the host reads too slowly); this
  //                 packet was dropped and the stream goes on.
  //   kCancelled:   the stream has ended; nothing more will be sent.
  // SendFrame encodes Grafana frame JSON; SendJSON refuses invalid JSON with
  // kInvalidArgument; SendBytes sends the bytes as they are.
  Status SendFrame(const Frame& frame, FrameInclude include);
  Status SendJSON(std::string_view json);
  virtual Status SendBytes(std::string_view bytes) = 0;

  // Calls `fn` every `interval`, the first time one interval from now, like
  // Go's time.Ticker: a late tick runs at once and the ticks missed
  // meanwhile are dropped, as is a tick that falls due while the previous
  // one of this timer is still waiting for its turn. Returns the timer's id,
  // or 0 (nothing scheduled) when the stream has ended or interval <= 0.
  virtual TimerId Every(std::chrono::nanoseconds interval, Callback fn) = 0;
  // Calls `fn` once, `delay` from now (<= 0: on the stream's next turn).
  // Returns the timer's id, or 0 when the stream has ended.
  virtual TimerId After(std::chrono::nanoseconds delay, Callback fn) = 0;
  // Stops a timer: it does not run again (a run already under way
  // finishes). Ids that are unknown or already done are ignored.
  virtual void StopTimer(TimerId id) = 0;

  // `fn` runs once, on the stream's turn, when the host cancels the stream
  // or the plugin stops; never after End. A later call replaces an earlier
  // one; set after the cancel, it runs at once.
  virtual void OnCancel(Callback fn) = 0;

  // Ends the stream with `status`: Ok is a clean end (the host stops the
  // stream), an error makes the host restart it with backoff. Packets
  // already queued are written first; timers stop at once. The first End
  // wins; End after the host's cancel does nothing.
  virtual void End(Status status) = 0;

  // True once the stream has ended, by End or by the host's cancel.
  virtual bool Ended() const = 0;
};

class AsyncRunStreamHandler {
 public:
  virtual ~AsyncRunStreamHandler() = default;
  // Called once per RunStream call, on the stream executor. Arrange the
  // stream's work on `stream` and return without blocking. An error status
  // ends the stream at once (as stream->End(status) would); Ok leaves it
  // running until End or the host's cancel.
  virtual Status StartStream(const RunStreamRequest& req,
                             std::shared_ptr<StreamChannel> stream) = 0;
};

}  // namespace runnel

#endif  // RUNNEL_ASYNC_STREAM_H_

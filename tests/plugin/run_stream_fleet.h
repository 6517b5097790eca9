// RunStreamFleet: many concurrent RunStream calls on one gRPC channel,
// driven by gRPC's callback API so that the test itself needs no thread per
// stream. It counts the streams that have received a packet and the calls
// that have ended, and lets a test wait for either with a deadline.
// Thread-safety: the Wait/count methods may be called from any thread;
// gRPC's threads update the counts. Destruction cancels every call and
// waits (up to 30 s) for all of them to end.
#ifndef RUNNEL_TESTS_PLUGIN_RUN_STREAM_FLEET_H_
#define RUNNEL_TESTS_PLUGIN_RUN_STREAM_FLEET_H_

#include <grpcpp/grpcpp.h>

#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "backend.grpc.pb.h"

namespace runnel::testing {

class RunStreamFleet {
 public:
  explicit RunStreamFleet(std::shared_ptr<grpc::Channel> channel);
  ~RunStreamFleet();
  RunStreamFleet(const RunStreamFleet&) = delete;
  RunStreamFleet& operator=(const RunStreamFleet&) = delete;

  // Starts one RunStream call per path.
  void Open(const std::vector<std::string>& paths);
  // Cancels every call (as a host does when the last subscriber leaves).
  void CancelAll();

  // Wait until at least `n` streams have had a packet / `n` calls have
  // ended; false when the timeout passes first.
  bool WaitForStreamsWithPackets(size_t n, std::chrono::milliseconds timeout);
  bool WaitForEnded(size_t n, std::chrono::milliseconds timeout);

  size_t streams_with_packets() const;
  size_t ended() const;
  // How many ended calls finished with each status code.
  std::map<grpc::StatusCode, size_t> end_codes() const;

 private:
  class Call;
  void NoteFirstPacket();
  void NoteEnded(grpc::StatusCode code);
  bool WaitFor(const std::function<bool()>& done,
               std::chrono::milliseconds timeout);

  std::unique_ptr<pluginv2::Stream::Stub> stub_;
  std::vector<std::unique_ptr<Call>> calls_;  // only the test thread

  mutable std::mutex mu_;  // guards the counts below
  std::condition_variable changed_;
  size_t with_packets_ = 0;
  size_t ended_ = 0;
  std::map<grpc::StatusCode, size_t> end_codes_;
};

}  // namespace runnel::testing

#endif  // RUNNEL_TESTS_PLUGIN_RUN_STREAM_FLEET_H_

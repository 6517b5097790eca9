#include "engine/redis_asio_adapter.h"

#include <hiredis/async.h>

#include <boost/asio/posix/stream_descriptor.hpp>
#include <memory>

namespace runnel::host {
namespace {

using boost::asio::posix::stream_descriptor;

class AsioGlue : public std::enable_shared_from_this<AsioGlue> {
 public:
  AsioGlue(boost::asio::io_context& io, redisAsyncContext* context)
      : context_(context), socket_(io, context->c.fd) {}

  void Install() {
    self_ = shared_from_this();
    context_->ev.data = this;
    context_->ev.addRead = [](void* p) { Glue(p)->Want(kRead, true); };
    context_->ev.delRead = [](void* p) { Glue(p)->Want(kRead, false); };
    context_->ev.addWrite = [](void* p) { Glue(p)->Want(kWrite, true); };
    context_->ev.delWrite = [](void* p) { Glue(p)->Want(kWrite, false); };
    context_->ev.cleanup = [](void* p) { Glue(p)->Detach(); };
  }

  // Clears the hooks first: hiredis 0.14 may call cleanup more than once
  // (on disconnect and again on free), and after this the glue may be gone.
  void Detach() {
    context_->ev = {};
    context_ = nullptr;
    // Cancels our waits without closing the fd (hiredis closes it).
    socket_.release();
    self_.reset();  // may destroy *this; pending handlers hold their own ref
  }

 private:
  enum Direction { kRead = 0, kWrite = 1 };

  static AsioGlue* Glue(void* p) { return static_cast<AsioGlue*>(p); }

  void Want(Direction direction, bool wanted) {
    wanted_[direction] = wanted;
    // A wait already running is left alone when no longer wanted: its
    // handler sees wanted_ false and does nothing.
    if (wanted) Arm(direction);
  }

  void Arm(Direction direction) {
    if (context_ == nullptr || waiting_[direction] || !wanted_[direction]) {
      return;
    }
    waiting_[direction] = true;
    socket_.async_wait(direction == kRead ? stream_descriptor::wait_read
                                          : stream_descriptor::wait_write,
                       [self = shared_from_this(),
                        direction](const boost::system::error_code& error) {
                         self->OnReady(direction, error);
                       });
  }

  void OnReady(Direction direction, const boost::system::error_code& error) {
    waiting_[direction] = false;
    if (error || context_ == nullptr || !wanted_[direction]) return;
    // hiredis may free the context in here (cleanup hook → Detach); the
    // handler's reference keeps this object alive until we return.
    if (direction == kRead) {
      redisAsyncHandleRead(context_);
    } else {
      redisAsyncHandleWrite(context_);
    }
    Arm(direction);  // still attached and wanted: wait for the next event
  }

  redisAsyncContext* context_;  // null once detached
  stream_descriptor socket_;
  bool wanted_[2] = {false, false};
  bool waiting_[2] = {false, false};
  std::shared_ptr<AsioGlue> self_;  // held while attached
};

}  // namespace

void AttachRedisToAsio(boost::asio::io_context& io,
                       redisAsyncContext* context) {
  std::make_shared<AsioGlue>(io, context)->Install();
}

void DetachRedisFromAsio(redisAsyncContext* context) {
  if (context->ev.cleanup != nullptr) context->ev.cleanup(context->ev.data);
}

}  // namespace runnel::host

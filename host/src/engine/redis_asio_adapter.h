// The glue between one hiredis async context and an Asio io_context: it
// fills hiredis's event hooks (ev.addRead/delRead/addWrite/delWrite/cleanup,
// the contract in hiredis async.h) so that hiredis reads and writes when
// Asio reports the socket ready (posix::stream_descriptor::async_wait).
// Written for this project; hiredis's own adapters are for other loops.
//
// Thread-safety: none; the io_context must run on one thread, and hiredis
// is only called on it.
// Ownership: the glue owns itself from Attach until hiredis calls the
// cleanup hook (when the context is freed or disconnects), or until
// DetachRedisFromAsio. It never closes the socket: hiredis owns the fd and
// closes it in redisFree.
#ifndef RUNNEL_HOST_ENGINE_REDIS_ASIO_ADAPTER_H_
#define RUNNEL_HOST_ENGINE_REDIS_ASIO_ADAPTER_H_

#include <boost/asio/io_context.hpp>

struct redisAsyncContext;

namespace runnel::host {

// Sets `context`'s event hooks. Call right after redisAsyncConnect, before
// redisAsyncSetConnectCallback (which asks for the first write event).
void AttachRedisToAsio(boost::asio::io_context& io, redisAsyncContext* context);

// Stops driving `context`: no more hiredis read/write calls from Asio, the
// hooks are cleared. Idempotent. Used before a deferred redisAsyncFree so
// that hiredis cannot free the context on its own in between.
void DetachRedisFromAsio(redisAsyncContext* context);

}  // namespace runnel::host

#endif  // RUNNEL_HOST_ENGINE_REDIS_ASIO_ADAPTER_H_

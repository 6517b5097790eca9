#include "live/message_socket.h"

#include <utility>

namespace runnel::host {

MessageSocket::MessageSocket(boost::asio::ip::tcp::socket socket, IoLoop* loop,
                             const LiveConfig& config,
                             std::atomic<uint64_t>* slow_disconnects,
                             HttpRequest upgrade,
                             WebSocketMessageHandler handler,
                             std::function<void(SocketSession*)> on_finished)
    : upgrade_(std::move(upgrade)),
      handler_(std::move(handler)),
      on_finished_(std::move(on_finished)),
      connection_(std::move(socket), loop, config, slow_disconnects, this) {}

void MessageSocket::Start(std::string upgrade_response) {
  connection_.Start(std::move(upgrade_response));
}

void MessageSocket::Close(Disconnect disconnect, bool flush) {
  connection_.Close(disconnect, flush);
}

void MessageSocket::OnMessage(std::string_view payload) {
  std::string reply = handler_(upgrade_, payload);
  if (!reply.empty()) connection_.Send(std::move(reply));
}

void MessageSocket::OnFinished() {
  if (on_finished_) on_finished_(this);
}

}  // namespace runnel::host

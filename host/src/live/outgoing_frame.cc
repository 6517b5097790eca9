#include "live/outgoing_frame.h"

#include <string_view>

namespace runnel::host {

namespace asio = boost::asio;

namespace {

constexpr std::string_view kNewline = "\n";

// Appends to `buffers` the part of `piece` past `*skip` bytes.
void AddRemaining(asio::const_buffer piece, size_t* skip,
                  std::vector<asio::const_buffer>* buffers) {
  if (*skip >= piece.size()) {
    *skip -= piece.size();
    return;
  }
  buffers->push_back(piece + *skip);
  *skip = 0;
}

}  // namespace

void OutgoingFrame::Clear() {
  messages.clear();
  control.clear();
  header_size = 0;
  total = 0;
  written = 0;
  is_close = false;
}

void OutgoingFrame::FrameMessages() {
  size_t payload = messages.size() - 1;  // the '\n' separators
  for (const SharedBuffer& message : messages) payload += message->size();
  header_size = ws::EncodeHeader(ws::Opcode::kText, payload, header);
  total = header_size + payload;
}

void OutgoingFrame::Unwritten(std::vector<asio::const_buffer>* buffers) const {
  buffers->clear();
  size_t skip = written;
  if (!control.empty()) {
    AddRemaining(asio::buffer(control), &skip, buffers);
    return;
  }
  AddRemaining(asio::buffer(header, header_size), &skip, buffers);
  for (size_t i = 0; i < messages.size(); ++i) {
    if (i > 0) AddRemaining(asio::buffer(kNewline), &skip, buffers);
    AddRemaining(asio::buffer(*messages[i]), &skip, buffers);
  }
}

}  // namespace runnel::host

#include "live/ws_handshake.h"

#include <openssl/evp.h>
#include <openssl/sha.h>

namespace runnel::host::ws {
namespace {

// RFC 6455's fixed GUID, appended to the key before hashing.
constexpr std::string_view kAcceptGuid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) {
    s.remove_prefix(1);
  }
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) {
    s.remove_suffix(1);
  }
  return s;
}

bool IsBase64Char(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
         (c >= '0' && c <= '9') || c == '+' || c == '/';
}

}  // namespace

int CheckUpgradeHeaders(std::string_view key, std::string_view version) {
  if (Trim(version) != "13") return 426;
  key = Trim(key);
  // 16 random bytes in base64: 22 characters and "==".
  if (key.size() != 24 || key.substr(22) != "==") return 400;
  for (char c : key.substr(0, 22)) {
    if (!IsBase64Char(c)) return 400;
  }
  return 0;
}

std::string AcceptKey(std::string_view client_key) {
  std::string input(Trim(client_key));
  input.append(kAcceptGuid);
  unsigned char digest[SHA_DIGEST_LENGTH];
  SHA1(reinterpret_cast<const unsigned char*>(input.data()), input.size(),
       digest);
  unsigned char encoded[4 * ((SHA_DIGEST_LENGTH + 2) / 3) + 1];
  int length = EVP_EncodeBlock(encoded, digest, SHA_DIGEST_LENGTH);
  return std::string(reinterpret_cast<const char*>(encoded),
                     static_cast<size_t>(length));
}

bool OffersSubprotocol(std::string_view header, std::string_view wanted) {
  size_t start = 0;
  while (start < header.size()) {
    size_t end = header.find(',', start);
    if (end == std::string_view::npos) end = header.size();
    if (Trim(header.substr(start, end - start)) == wanted) return true;
    start = end + 1;
  }
  return false;
}

std::string UpgradeResponse(std::string_view client_key,
                            std::string_view subprotocol) {
  std::string response =
      "HTTP/1.1 101 Switching Protocols\r\n"
      "Upgrade: websocket\r\n"
      "Connection: Upgrade\r\n"
      "Server: runnel\r\n"
      "Sec-WebSocket-Accept: ";
  response.append(AcceptKey(client_key));
  response.append("\r\n");
  if (!subprotocol.empty()) {
    response.append("Sec-WebSocket-Protocol: ");
    response.append(subprotocol);
    response.append("\r\n");
  }
  response.append("\r\n");
  return response;
}

}  // namespace runnel::host::ws

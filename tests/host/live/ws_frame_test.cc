#include "live/ws_frame.h"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

namespace runnel::host::ws {
namespace {

// Records what the reader reports.
class Recorder : public FrameHandler {
 public:
  void OnMessage(std::string_view payload, bool binary) override {
    messages.emplace_back(payload);
    binaries.push_back(binary);
  }
  void OnPing(std::string_view payload) override {
    pings.emplace_back(payload);
  }
  void OnClose(uint16_t code, std::string_view reason) override {
    close_codes.push_back(code);
    close_reasons.emplace_back(reason);
  }
  std::vector<std::string> messages, pings, close_reasons;
  std::vector<bool> binaries;
  std::vector<uint16_t> close_codes;
};

// A client frame, masked as RFC 6455 section 5.3 requires.
std::vector<uint8_t> ClientFrame(uint8_t first_byte, std::string_view payload,
                                 uint32_t mask_seed = 0x1234abcd) {
  std::vector<uint8_t> out{first_byte};
  const uint64_t size = payload.size();
  if (size < 126) {
    out.push_back(0x80 | static_cast<uint8_t>(size));
  } else if (size <= 0xFFFF) {
    out.insert(out.end(), {0x80 | 126, static_cast<uint8_t>(size >> 8),
                           static_cast<uint8_t>(size)});
  } else {
    out.push_back(0x80 | 127);
    for (int i = 7; i >= 0; --i)
      out.push_back(static_cast<uint8_t>(size >> (8 * i)));
  }
  const uint8_t mask[4] = {static_cast<uint8_t>(mask_seed >> 24),
                           static_cast<uint8_t>(mask_seed >> 16),
                           static_cast<uint8_t>(mask_seed >> 8),
                           static_cast<uint8_t>(mask_seed)};
  out.insert(out.end(), mask, mask + 4);
  for (size_t i = 0; i < payload.size(); ++i) {
    out.push_back(static_cast<uint8_t>(payload[i]) ^ mask[i & 3]);
  }
  return out;
}

std::vector<uint8_t> Join(std::initializer_list<std::vector<uint8_t>> parts) {
  std::vector<uint8_t> out;
  for (const auto& part : parts)
    out.insert(out.end(), part.begin(), part.end());
  return out;
}

TEST(WsFrameTest, HeaderSizesFollowThePayloadLength) {
  uint8_t header[kMaxHeaderBytes];
  ASSERT_EQ(EncodeHeader(Opcode::kText, 5, header), 2u);
  EXPECT_EQ(header[0], 0x81);
  EXPECT_EQ(header[1], 5);
  ASSERT_EQ(EncodeHeader(Opcode::kText, 126, header), 4u);
  EXPECT_EQ(header[1], 126);
  EXPECT_EQ(header[2], 0);
  EXPECT_EQ(header[3], 126);
  ASSERT_EQ(EncodeHeader(Opcode::kText, 65535, header), 4u);
  EXPECT_EQ(header[2], 0xFF);
  ASSERT_EQ(EncodeHeader(Opcode::kClose, 65536, header), 10u);
  EXPECT_EQ(header[0], 0x88);
  EXPECT_EQ(header[1], 127);
  EXPECT_EQ(header[7], 1);  // 0x00 00 00 00 00 01 00 00
  EXPECT_EQ(header[8], 0);
  EXPECT_EQ(header[9], 0);
}

TEST(WsFrameTest, ClosePayloadIsCodeThenReasonCutTo125) {
  std::string payload = EncodeClosePayload(3008, "slow");
  ASSERT_EQ(payload.size(), 6u);
  EXPECT_EQ(static_cast<uint8_t>(payload[0]), 3008 >> 8);
  EXPECT_EQ(static_cast<uint8_t>(payload[1]), 3008 & 0xFF);
  EXPECT_EQ(payload.substr(2), "slow");
  EXPECT_EQ(EncodeClosePayload(1000, std::string(300, 'x')).size(), 125u);
}

TEST(WsFrameTest, ReadsMessagesInOneChunkAndByteByByte) {
  const std::string big(70000, 'b');
  auto bytes =
      Join({ClientFrame(0x81, R"({"id":1,"connect":{}})"),
            ClientFrame(0x82, "bin"), ClientFrame(0x81, ""),
            ClientFrame(0x81, std::string(300, 'm')), ClientFrame(0x81, big)});
  for (bool byte_by_byte : {false, true}) {
    SCOPED_TRACE(byte_by_byte);
    std::vector<uint8_t> copy = bytes;
    FrameReader reader(1 << 20);
    Recorder recorder;
    if (byte_by_byte) {
      for (uint8_t& b : copy) ASSERT_EQ(reader.Feed(&b, 1, recorder), 0);
    } else {
      ASSERT_EQ(reader.Feed(copy.data(), copy.size(), recorder), 0);
    }
    ASSERT_EQ(recorder.messages.size(), 5u);
    EXPECT_EQ(recorder.messages[0], R"({"id":1,"connect":{}})");
    EXPECT_EQ(recorder.messages[1], "bin");
    EXPECT_TRUE(recorder.binaries[1]);
    EXPECT_EQ(recorder.messages[2], "");
    EXPECT_EQ(recorder.messages[3], std::string(300, 'm'));
    EXPECT_EQ(recorder.messages[4], big);
    EXPECT_EQ(reader.buffered_bytes(), 0u);  // nothing held between messages
  }
}

TEST(WsFrameTest, RandomSplitsGiveTheSameMessages) {
  std::mt19937 rng(7);
  std::vector<std::string> sent;
  std::vector<uint8_t> bytes;
  for (int i = 0; i < 50; ++i) {
    std::string text(rng() % 400, static_cast<char>('a' + i % 26));
    sent.push_back(text);
    auto frame = ClientFrame(0x81, text, rng());
    bytes.insert(bytes.end(), frame.begin(), frame.end());
  }
  FrameReader reader(1 << 20);
  Recorder recorder;
  size_t at = 0;
  while (at < bytes.size()) {
    size_t n = std::min<size_t>(1 + rng() % 700, bytes.size() - at);
    ASSERT_EQ(reader.Feed(bytes.data() + at, n, recorder), 0);
    at += n;
  }
  EXPECT_EQ(recorder.messages, sent);
}

TEST(WsFrameTest, FragmentsAreJoinedAndControlFramesMayInterleave) {
  auto bytes = Join({ClientFrame(0x01, "hel"), ClientFrame(0x89, "p!"),
                     ClientFrame(0x00, "lo "), ClientFrame(0x8A, ""),
                     ClientFrame(0x80, "world")});
  FrameReader reader(1 << 20);
  Recorder recorder;
  ASSERT_EQ(reader.Feed(bytes.data(), bytes.size(), recorder), 0);
  ASSERT_EQ(recorder.messages.size(), 1u);
  EXPECT_EQ(recorder.messages[0], "hello world");
  ASSERT_EQ(recorder.pings.size(), 1u);
  EXPECT_EQ(recorder.pings[0], "p!");
}

TEST(WsFrameTest, CloseFramesCarryCodeAndReason) {
  std::string payload = EncodeClosePayload(3501, "bad request");
  auto bytes = Join({ClientFrame(0x88, payload), ClientFrame(0x88, "")});
  FrameReader reader(1 << 20);
  Recorder recorder;
  ASSERT_EQ(reader.Feed(bytes.data(), bytes.size(), recorder), 0);
  ASSERT_EQ(recorder.close_codes.size(), 2u);
  EXPECT_EQ(recorder.close_codes[0], 3501);
  EXPECT_EQ(recorder.close_reasons[0], "bad request");
  EXPECT_EQ(recorder.close_codes[1], kCloseNoStatus);
}

TEST(WsFrameTest, CloseCodesTheWireMayCarry) {
  for (uint16_t code : {1000, 1003, 1007, 1011, 1014, 3000, 4999}) {
    EXPECT_TRUE(IsValidCloseCode(code)) << code;
  }
  for (uint16_t code : {0, 999, 1004, 1005, 1006, 1015, 1016, 2999, 5000}) {
    EXPECT_FALSE(IsValidCloseCode(code)) << code;
  }
}

TEST(WsFrameTest, ProtocolFaultsAre1002AndStick) {
  const std::vector<std::vector<uint8_t>> faults = {
      {0x81, 0x02, 'h', 'i'},                    // unmasked client frame
      ClientFrame(0xC1, "x"),                    // reserved bit (no extensions)
      ClientFrame(0x83, "x"),                    // unknown opcode
      ClientFrame(0x09, "x"),                    // fragmented control frame
      ClientFrame(0x89, std::string(126, 'p')),  // control frame over 125
      ClientFrame(0x80, "x"),                    // continuation with no message
      Join(
          {ClientFrame(0x01, "a"), ClientFrame(0x81, "b")}),  // new mid-message
      ClientFrame(0x88, "x"),  // close payload of one byte
      ClientFrame(0x88, EncodeClosePayload(1005, "")),      // local-only code
      ClientFrame(0x88, EncodeClosePayload(2999, "")),      // unassigned code
      ClientFrame(0x88, EncodeClosePayload(1000, "\xff")),  // reason not UTF-8
  };
  for (size_t i = 0; i < faults.size(); ++i) {
    SCOPED_TRACE(i);
    std::vector<uint8_t> bytes = faults[i];
    FrameReader reader(1 << 20);
    Recorder recorder;
    EXPECT_EQ(reader.Feed(bytes.data(), bytes.size(), recorder),
              kCloseProtocolError);
    EXPECT_STRNE(reader.fault_reason(), "");
    EXPECT_TRUE(recorder.close_codes.empty());
    auto more = ClientFrame(0x81, "after");
    EXPECT_EQ(reader.Feed(more.data(), more.size(), recorder),
              kCloseProtocolError);
    EXPECT_TRUE(recorder.messages.empty());
  }
}

TEST(WsFrameTest, OversizedMessageIsReportedOnceThenSkippedUpToTheClose) {
  auto bytes = Join(
      {ClientFrame(0x81, "small"), ClientFrame(0x01, std::string(60, 'a')),
       ClientFrame(0x80, std::string(60, 'b')), ClientFrame(0x81, "dropped"),
       ClientFrame(0x88, EncodeClosePayload(1000, ""))});
  FrameReader reader(100);
  Recorder recorder;
  EXPECT_EQ(reader.Feed(bytes.data(), bytes.size(), recorder),
            kCloseMessageTooBig);
  ASSERT_EQ(recorder.messages.size(), 1u);
  EXPECT_EQ(recorder.messages[0], "small");
  ASSERT_EQ(recorder.close_codes.size(), 1u);  // the close still arrives
  EXPECT_EQ(recorder.close_codes[0], 1000);
  auto more = ClientFrame(0x81, "x");
  EXPECT_EQ(reader.Feed(more.data(), more.size(), recorder), 0);
}

}  // namespace
}  // namespace runnel::host::ws

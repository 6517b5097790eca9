// Internal: the constants of Arrow's IPC file layout (apache/arrow
// format/File.fbs and docs "IPC File Format"; arrow-go arrow/ipc/ipc.go):
//   "ARROW1" + 2 zero bytes | schema message | record batch messages |
//   end-of-stream marker | Footer flatbuffer | int32 footer size | "ARROW1"
// An encapsulated message is 0xFFFFFFFF, an int32 metadata size, the Message
// flatbuffer padded so that the whole prefix + metadata is a multiple of 8,
// then the body.
#ifndef RUNNEL_SDK_SRC_ARROW_ARROW_FILE_H_
#define RUNNEL_SDK_SRC_ARROW_ARROW_FILE_H_

#include <cstdint>
#include <cstring>
#include <string_view>

namespace runnel::internal {

inline constexpr std::string_view kArrowMagic = "ARROW1";
// The leading magic is padded to 8 bytes so the first message is aligned.
inline constexpr size_t kArrowMagicPadded = 8;
inline constexpr uint32_t kArrowContinuation = 0xFFFFFFFF;
// Message, body buffers and padding align to 8 bytes (kArrowIPCAlignment).
inline constexpr size_t kArrowAlignment = 8;
// Footer size (int32) + trailing magic.
inline constexpr size_t kArrowTrailerSize = 4 + kArrowMagic.size();

// A flatbuffers struct read out of an untrusted buffer. The verifier does
// not check a struct vector's element alignment, so a FieldNode, Buffer or
// Block may sit at any address; copying it avoids a misaligned read.
template <class Struct>
Struct CopyStruct(const Struct* unaligned) {
  Struct copy;
  std::memcpy(static_cast<void*>(&copy), unaligned, sizeof(Struct));
  return copy;
}

}  // namespace runnel::internal

#endif  // RUNNEL_SDK_SRC_ARROW_ARROW_FILE_H_

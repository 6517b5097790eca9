// FrameFromArrow (frame_arrow.h): reads an Arrow IPC file the way arrow-go's
// ipc.FileReader does (the footer names the schema and the record batches),
// treating every byte as untrusted: each size and offset is checked before
// use and every flatbuffer passes flatbuffers::Verifier first.
#include <flatbuffers/flatbuffers.h>

#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "arrow_file.h"
#include "arrow_format_generated.h"
#include "arrow_record.h"
#include "arrow_schema.h"
#include "runnel/frame_arrow.h"

namespace runnel {
namespace {

namespace fb = flatbuffers;
namespace arrowfb = internal::arrowfb;

Status Invalid(const std::string& what) {
  return Status::InvalidArgument("not a valid Arrow file: " + what);
}

uint32_t ReadUint32(std::string_view bytes, size_t at) {
  uint32_t v;
  std::memcpy(&v, bytes.data() + at, 4);
  return v;
}

// A flatbuffer copied out of the file, so its tables are aligned in memory
// wherever it sat in the file, and verified before anything reads it.
template <class Table>
Status VerifiedCopy(std::string_view bytes, std::string* copy,
                    const Table** table) {
  copy->assign(bytes);
  fb::Verifier verifier(reinterpret_cast<const uint8_t*>(copy->data()),
                        copy->size());
  if (!verifier.VerifyBuffer<Table>(nullptr)) return Invalid("bad flatbuffer");
  *table = fb::GetRoot<Table>(copy->data());
  return Status::Ok();
}

// The file split into its parts, the footer verified.
struct ArrowFile {
  std::string_view bytes;
  size_t footer_start = 0;  // messages lie before it
  std::string footer_copy;
  const arrowfb::Footer* footer = nullptr;
};

Status ReadFooter(std::string_view bytes, ArrowFile* file) {
  const std::string_view magic = internal::kArrowMagic;
  const size_t trailer = internal::kArrowTrailerSize;
  if (bytes.size() < internal::kArrowMagicPadded + trailer) {
    return Invalid("too short");
  }
  if (bytes.substr(0, magic.size()) != magic ||
      bytes.substr(bytes.size() - magic.size()) != magic) {
    return Invalid("no ARROW1 magic at its start and end");
  }
  const uint32_t size = ReadUint32(bytes, bytes.size() - trailer);
  if (size == 0 ||
      size > bytes.size() - trailer - internal::kArrowMagicPadded) {
    return Invalid("footer size " + std::to_string(size) + " out of range");
  }
  file->bytes = bytes;
  file->footer_start = bytes.size() - trailer - size;
  Status status = VerifiedCopy(bytes.substr(file->footer_start, size),
                               &file->footer_copy, &file->footer);
  if (!status.ok()) return Invalid("footer: " + status.message());
  if (file->footer->schema() == nullptr) return Invalid("footer has no schema");
  if (file->footer->dictionaries() != nullptr &&
      file->footer->dictionaries()->size() > 0) {
    return Status::InvalidArgument("Arrow dictionaries are not supported");
  }
  return Status::Ok();
}

// The metadata flatbuffer of the message at block.offset: after 0xFFFFFFFF
// and an int32 size, or (before Arrow 0.15) after the int32 size alone.
Status MessageMetadata(const ArrowFile& file, const arrowfb::Block& block,
                       std::string_view* metadata) {
  const int64_t offset = block.offset(), length = block.meta_data_length();
  if (offset < static_cast<int64_t>(internal::kArrowMagicPadded) ||
      length < 8 || static_cast<uint64_t>(offset) >= file.footer_start ||
      static_cast<uint64_t>(length) > file.footer_start - offset) {
    return Invalid("record batch block out of range");
  }
  size_t prefix = 4;
  uint32_t size = ReadUint32(file.bytes, offset);
  if (size == internal::kArrowContinuation) {
    prefix = 8;
    size = ReadUint32(file.bytes, offset + 4);
  }
  if (size > static_cast<uint64_t>(length) - prefix) {
    return Invalid("message larger than its block");
  }
  *metadata = file.bytes.substr(offset + prefix, size);
  return Status::Ok();
}

Status ReadRecordBatch(const ArrowFile& file, const arrowfb::Block& block,
                       const std::vector<internal::ArrowColumn>& columns,
                       uint64_t* budget, Frame* frame) {
  std::string_view metadata;
  Status status = MessageMetadata(file, block, &metadata);
  if (!status.ok()) return status;
  std::string copy;
  const arrowfb::Message* message = nullptr;
  status = VerifiedCopy(metadata, &copy, &message);
  if (!status.ok()) return Invalid("record batch message: " + status.message());
  const arrowfb::RecordBatch* batch = message->header_as_RecordBatch();
  if (batch == nullptr) return Invalid("block is not a record batch");
  // The body follows the metadata; its length is the message's.
  const uint64_t body_start = block.offset() + block.meta_data_length();
  const int64_t body_length = message->body_length();
  if (body_length < 0 ||
      static_cast<uint64_t>(body_length) > file.footer_start - body_start) {
    return Invalid("record batch body out of range");
  }
  return internal::DecodeRecord(*batch,
                                file.bytes.substr(body_start, body_length),
                                columns, budget, frame);
}

}  // namespace

Status FrameFromArrow(std::string_view bytes, Frame* out) {
  ArrowFile file;
  Status status = ReadFooter(bytes, &file);
  if (!status.ok()) return status;
  Frame frame;
  std::vector<internal::ArrowColumn> columns;
  status = internal::ReadArrowSchema(*file.footer->schema(), &frame, &columns);
  if (!status.ok()) {
    return Status::InvalidArgument("Arrow schema: " + status.message());
  }
  uint64_t budget = bytes.size();
  if (const auto* batches = file.footer->record_batches()) {
    for (const arrowfb::Block* block : *batches) {
      status = ReadRecordBatch(file, internal::CopyStruct(block), columns,
                               &budget, &frame);
      if (!status.ok()) return status;
    }
  }
  *out = std::move(frame);
  return Status::Ok();
}

}  // namespace runnel

// FrameToArrow (frame_arrow.h): one Arrow IPC file per frame, as
// grafana-plugin-sdk-go data/arrow.go MarshalArrow writes it with arrow-go's
// ipc.FileWriter: the schema message, one record batch (none when the frame
// has no rows, as Go's TableReader yields none), the end-of-stream marker,
// and a footer that repeats the schema and points at the record batch.
#include <flatbuffers/flatbuffers.h>

#include <cstring>
#include <string>
#include <vector>

#include "arrow_file.h"
#include "arrow_format_generated.h"
#include "arrow_record.h"
#include "arrow_schema.h"
#include "runnel/frame_arrow.h"

namespace runnel {
namespace {

namespace fb = flatbuffers;
using internal::arrowfb::MetadataVersion_V5;

void AppendUint32(uint32_t v, std::string& out) {
  char bytes[4];
  std::memcpy(bytes, &v, 4);  // little-endian hosts only (arrow_record)
  out.append(bytes, 4);
}

// Appends an encapsulated message (continuation, size, flatbuffer padded to
// 8, body) and returns its Block for the footer.
internal::arrowfb::Block AppendMessage(const fb::FlatBufferBuilder& message,
                                       std::string_view body,
                                       std::string& out) {
  const int64_t offset = static_cast<int64_t>(out.size());
  const size_t size = message.GetSize();
  const size_t padded = (size + 8 + internal::kArrowAlignment - 1) /
                            internal::kArrowAlignment *
                            internal::kArrowAlignment -
                        8;
  AppendUint32(internal::kArrowContinuation, out);
  AppendUint32(static_cast<uint32_t>(padded), out);
  out.append(reinterpret_cast<const char*>(message.GetBufferPointer()), size);
  out.append(padded - size, '\0');
  out.append(body);
  return internal::arrowfb::Block(offset, static_cast<int32_t>(padded + 8),
                                  static_cast<int64_t>(body.size()));
}

void AppendSchemaMessage(const Frame& frame, std::string& out) {
  fb::FlatBufferBuilder b;
  auto schema = internal::WriteArrowSchema(b, frame);
  b.Finish(internal::arrowfb::CreateMessage(
      b, MetadataVersion_V5, internal::arrowfb::MessageHeader_Schema,
      schema.Union(), /*body_length=*/0));
  AppendMessage(b, {}, out);
}

internal::arrowfb::Block AppendRecordMessage(
    const internal::EncodedRecord& record, std::string& out) {
  fb::FlatBufferBuilder b;
  auto nodes = b.CreateVectorOfStructs(record.nodes);
  auto buffers = b.CreateVectorOfStructs(record.buffers);
  auto batch =
      internal::arrowfb::CreateRecordBatch(b, record.length, nodes, buffers);
  b.Finish(internal::arrowfb::CreateMessage(
      b, MetadataVersion_V5, internal::arrowfb::MessageHeader_RecordBatch,
      batch.Union(), static_cast<int64_t>(record.body.size())));
  return AppendMessage(b, record.body, out);
}

void AppendFooter(const Frame& frame,
                  const std::vector<internal::arrowfb::Block>& batches,
                  std::string& out) {
  fb::FlatBufferBuilder b;
  auto schema = internal::WriteArrowSchema(b, frame);
  auto dictionaries =
      b.CreateVectorOfStructs(std::vector<internal::arrowfb::Block>{});
  auto record_batches = b.CreateVectorOfStructs(batches);
  b.Finish(internal::arrowfb::CreateFooter(b, MetadataVersion_V5, schema,
                                           dictionaries, record_batches));
  out.append(reinterpret_cast<const char*>(b.GetBufferPointer()), b.GetSize());
  AppendUint32(static_cast<uint32_t>(b.GetSize()), out);
  out.append(internal::kArrowMagic);
}

}  // namespace

Status FrameToArrow(const Frame& frame, std::string* out) {
  const size_t rows = frame.rows();
  for (size_t i = 0; i < frame.fields().size(); ++i) {
    if (frame.fields()[i].size() != rows) {
      return Status::InvalidArgument(
          "frame fields have different lengths: field 0 has " +
          std::to_string(rows) + " rows, field " + std::to_string(i) + " has " +
          std::to_string(frame.fields()[i].size()));
    }
  }
  std::vector<internal::arrowfb::Block> batches;
  internal::EncodedRecord record;
  if (rows > 0) {
    Status status = internal::EncodeRecord(frame, rows, &record);
    if (!status.ok()) return status;
  }
  std::string file(internal::kArrowMagic);
  file.append(internal::kArrowMagicPadded - internal::kArrowMagic.size(), '\0');
  AppendSchemaMessage(frame, file);
  if (rows > 0) batches.push_back(AppendRecordMessage(record, file));
  AppendUint32(internal::kArrowContinuation, file);  // end of stream:
  AppendUint32(0, file);                             // a 0-size message
  AppendFooter(frame, batches, file);
  *out = std::move(file);
  return Status::Ok();
}

}  // namespace runnel

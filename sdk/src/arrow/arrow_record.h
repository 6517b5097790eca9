// Internal: a Frame's rows as an Arrow record batch body and back. Buffer
// layout per column, as arrow-go's ipc writer lays it out: a validity bitmap
// (empty when the column has no null), then the values (fixed width
// little-endian, or a bitmap for bool), or int32 offsets and the bytes for
// Utf8/Binary; each buffer starts at a multiple of 8 in the body. Pure
// functions; thread-safe for distinct outputs.
#ifndef RUNNEL_SDK_SRC_ARROW_ARROW_RECORD_H_
#define RUNNEL_SDK_SRC_ARROW_ARROW_RECORD_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "arrow_format_generated.h"
#include "arrow_schema.h"
#include "runnel/frame.h"
#include "runnel/status.h"

namespace runnel::internal {

// A record batch: what its RecordBatch table says, and its body.
struct EncodedRecord {
  int64_t length = 0;
  std::vector<arrowfb::FieldNode> nodes;
  std::vector<arrowfb::Buffer> buffers;
  std::string body;
};

// Encodes the frame's rows (all columns must have `rows` rows). A string or
// JSON column over Arrow's 2 GiB offset limit is InvalidArgument.
Status EncodeRecord(const Frame& frame, size_t rows, EncodedRecord* out);

// Appends the rows of a verified RecordBatch to *frame, whose fields came
// from the same schema. Every buffer is checked against the body. Each
// column's smallest possible size in bytes is taken from *byte_budget
// (which starts at the file's size), so batches or fields that share bytes
// cannot decode into more values than the file could hold.
Status DecodeRecord(const arrowfb::RecordBatch& batch, std::string_view body,
                    const std::vector<ArrowColumn>& columns,
                    uint64_t* byte_budget, Frame* frame);

}  // namespace runnel::internal

#endif  // RUNNEL_SDK_SRC_ARROW_ARROW_RECORD_H_

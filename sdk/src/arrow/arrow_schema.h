// Internal: a Frame's schema as Arrow's Schema table and back
// (grafana-plugin-sdk-go data/arrow.go buildArrowFields, buildArrowSchema,
// initializeFrameFields, populateFrameFromSchema). Pure functions;
// thread-safe for distinct outputs.
#ifndef RUNNEL_SDK_SRC_ARROW_ARROW_SCHEMA_H_
#define RUNNEL_SDK_SRC_ARROW_ARROW_SCHEMA_H_

#include <flatbuffers/flatbuffers.h>

#include <cstdint>
#include <vector>

#include "arrow_format_generated.h"
#include "runnel/frame.h"
#include "runnel/status.h"

namespace runnel::internal {

// Builds the Schema of frame: its fields with their types and metadata, and
// the frame's name, refId and meta as schema metadata.
flatbuffers::Offset<arrowfb::Schema> WriteArrowSchema(
    flatbuffers::FlatBufferBuilder& builder, const Frame& frame);

// What decoding a column needs to know beyond its Frame field.
struct ArrowColumn {
  int64_t nanos_per_unit = 1;  // time fields: the Timestamp unit in ns
};

// Fills *frame (fields without rows, name, refId, meta) from a verified
// schema, one ArrowColumn per field. Unsupported types are InvalidArgument.
Status ReadArrowSchema(const arrowfb::Schema& schema, Frame* frame,
                       std::vector<ArrowColumn>* columns);

}  // namespace runnel::internal

#endif  // RUNNEL_SDK_SRC_ARROW_ARROW_SCHEMA_H_

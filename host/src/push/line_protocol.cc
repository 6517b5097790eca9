#include "push/line_protocol.h"

#include "push/line_parser.h"

namespace runnel::host {

void PointBatch::Clear() {
  points_.clear();
  tags_.clear();
  fields_.clear();
  unescaped_size_ = 0;
}

size_t PointBatch::capacity_bytes() const {
  return points_.capacity() * sizeof(Point) + tags_.capacity() * sizeof(Tag) +
         fields_.capacity() * sizeof(PointField) + unescaped_capacity_;
}

std::string ParseError::ToString() const {
  return "line " + std::to_string(line) + ", column " + std::to_string(column) +
         ": " + message;
}

std::optional<ParseError> ParseLineProtocol(std::string_view body,
                                            const ParseOptions& options,
                                            PointBatch& out) {
  return LineParser(body, options, out).Run();
}

}  // namespace runnel::host

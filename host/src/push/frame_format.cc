#include "push/frame_format.h"

#include <cstddef>

namespace runnel::host {
namespace {

bool EqualsLowered(std::string_view value, std::string_view lower) {
  if (value.size() != lower.size()) return false;
  for (size_t i = 0; i < value.size(); ++i) {
    char c = value[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != lower[i]) return false;
  }
  return true;
}

}  // namespace

std::optional<FrameFormat> FrameFormatFromQuery(std::string_view value) {
  if (value.empty() || EqualsLowered(value, "labels_column")) {
    return FrameFormat::kLabelsColumn;
  }
  if (EqualsLowered(value, "wide")) return FrameFormat::kWide;
  return std::nullopt;
}

}  // namespace runnel::host

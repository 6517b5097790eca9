#include "push/point_sets.h"

#include <algorithm>
#include <cstddef>

namespace runnel::host {
namespace {

// Sorts by key keeping line order among equal keys, then keeps the last of
// each run of equal keys.
template <typename T>
void LastPerKeySorted(std::span<const T> items, std::vector<T>& out) {
  out.assign(items.begin(), items.end());
  std::stable_sort(out.begin(), out.end(),
                   [](const T& a, const T& b) { return a.key < b.key; });
  size_t kept = 0;
  for (size_t i = 0; i < out.size(); ++i) {
    if (i + 1 < out.size() && out[i + 1].key == out[i].key) continue;
    out[kept++] = out[i];
  }
  out.resize(kept);
}

}  // namespace

void SortedTags(std::span<const Tag> tags, std::vector<Tag>& out) {
  LastPerKeySorted(tags, out);
}

void SortedFields(std::span<const PointField> fields,
                  std::vector<PointField>& out) {
  LastPerKeySorted(fields, out);
}

std::string LabelsString(std::span<const Tag> sorted_tags) {
  std::string text;
  for (const Tag& tag : sorted_tags) {
    if (!text.empty()) text.append(", ");
    text.append(tag.key).append("=").append(tag.value);
  }
  return text;
}

Labels ToLabels(std::span<const Tag> sorted_tags) {
  Labels labels;
  for (const Tag& tag : sorted_tags) {
    labels.emplace_hint(labels.end(), tag.key, tag.value);
  }
  return labels;
}

}  // namespace runnel::host

#include "push/point_sets.h"

#include <algorithm>
#include <cstddef>

namespace runnel::host {
namespace {

// Up to this many items are sorted by insertion: a line's few tags and
// fields, often already in order, then cost one pass and no allocation
// (std::stable_sort takes a temporary buffer from the heap on every call).
constexpr size_t kInsertionSortMax = 16;

// Stable: an item moves left only past strictly greater keys.
template <typename T>
void InsertionSortByKey(std::vector<T>& items) {
  for (size_t i = 1; i < items.size(); ++i) {
    if (!(items[i].key < items[i - 1].key)) continue;
    T item = items[i];
    size_t j = i;
    for (; j > 0 && item.key < items[j - 1].key; --j) items[j] = items[j - 1];
    items[j] = item;
  }
}

template <typename T>
bool KeysIncreaseStrictly(std::span<const T> items) {
  for (size_t i = 1; i < items.size(); ++i) {
    if (!(items[i - 1].key < items[i].key)) return false;
  }
  return true;
}

// Sorts by key keeping line order among equal keys, then keeps the last of
// each run of equal keys. Items already in order with no repeated key, as
// most lines write them, are returned as they are, with no copy.
template <typename T>
std::span<const T> LastPerKeySorted(std::span<const T> items,
                                    std::vector<T>& scratch) {
  if (KeysIncreaseStrictly(items)) return items;
  scratch.assign(items.begin(), items.end());
  const auto by_key = [](const T& a, const T& b) { return a.key < b.key; };
  if (scratch.size() <= kInsertionSortMax) {
    InsertionSortByKey(scratch);
  } else {
    std::stable_sort(scratch.begin(), scratch.end(), by_key);
  }
  size_t kept = 0;
  for (size_t i = 0; i < scratch.size(); ++i) {
    if (i + 1 < scratch.size() && scratch[i + 1].key == scratch[i].key)
      continue;
    scratch[kept++] = scratch[i];
  }
  scratch.resize(kept);
  return scratch;
}

}  // namespace

std::span<const Tag> SortedTags(std::span<const Tag> tags,
                                std::vector<Tag>& scratch) {
  return LastPerKeySorted(tags, scratch);
}

std::span<const PointField> SortedFields(std::span<const PointField> fields,
                                         std::vector<PointField>& scratch) {
  return LastPerKeySorted(fields, scratch);
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

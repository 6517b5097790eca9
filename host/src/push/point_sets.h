// A point's tags and fields as Grafana's converter sees them: one entry
// per key, the line's last one winning (line-protocol v1 metric.go AddTag,
// AddField), sorted by key in byte order (convert.go sorts fields with
// sort.Slice on the key; data.Labels.String sorts tag keys). Pure
// functions over caller-owned scratch vectors, so a body's points cost no
// allocation once the vectors have grown. Thread-safe for distinct scratch.
#ifndef RUNNEL_HOST_PUSH_POINT_SETS_H_
#define RUNNEL_HOST_PUSH_POINT_SETS_H_

#include <span>
#include <string>
#include <vector>

#include "push/line_protocol.h"
#include "runnel/frame.h"

namespace runnel::host {

// The point's tags, last per key, sorted by key: `tags` itself when its
// keys already increase strictly (most lines), else `scratch`, filled.
std::span<const Tag> SortedTags(std::span<const Tag> tags,
                                std::vector<Tag>& scratch);

// The point's fields, last per key, sorted by key: `fields` itself when its
// keys already increase strictly, else `scratch`, filled.
std::span<const PointField> SortedFields(std::span<const PointField> fields,
                                         std::vector<PointField>& scratch);

// "k1=v1, k2=v2" from sorted tags, as grafana-plugin-sdk-go data.Labels
// String() writes it (no quoting or escaping; "" without tags).
std::string LabelsString(std::span<const Tag> sorted_tags);

Labels ToLabels(std::span<const Tag> sorted_tags);

}  // namespace runnel::host

#endif  // RUNNEL_HOST_PUSH_POINT_SETS_H_

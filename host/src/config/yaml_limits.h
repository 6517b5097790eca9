// Limits on a YAML document before it is loaded, so that a small file
// cannot make the host expand it without bound (the "billion laughs":
// anchors whose aliases refer to anchors of aliases, doubling at each level).
//
// The rule is Go's gopkg.in/yaml.v3 (decode.go, allowedAliasRatio), which
// Grafana's provisioning uses, so the same files are refused: count every
// node a decoder visits with aliases expanded ("decodes"), and those visited
// inside an alias expansion; once there are more than 100 of the latter and
// more than 1000 in all, their share may be at most 99% up to 400,000
// decodes, falling linearly to 10% at 4,000,000 and beyond. An alias inside
// its own anchor (a cycle) is refused too, as yaml.v3 does. (Deep nesting
// needs no rule here: yaml-cpp itself refuses a few hundred levels.)
//
// Thread-safety: pure function.
#ifndef RUNNEL_HOST_CONFIG_YAML_LIMITS_H_
#define RUNNEL_HOST_CONFIG_YAML_LIMITS_H_

#include <string>

#include "runnel/status.h"

namespace runnel::host {

// Checks the first document of `text` (what YAML::Load reads). On a breach
// returns InvalidArgument "<file_name>:<line>: <what>", the line being where
// the limit was crossed; a syntax error is reported the same way.
Status CheckYamlLimits(const std::string& text, const std::string& file_name);

}  // namespace runnel::host

#endif  // RUNNEL_HOST_CONFIG_YAML_LIMITS_H_

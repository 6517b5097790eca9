// What Grafana's telegraf converter makes of one line protocol field value
// (grafana pkg/services/live/telemetry/telegraf/convert.go, with
// WithFloat64Numbers(true) as pkg/services/live/convert uses it): every
// number a nullable float64 (large integers lose precision, as there), a
// string a nullable string, except the string "NaN", which is a null
// float64 (some Telegraf extensions send NaN so), a boolean a nullable
// bool. Pure; thread-safe.
#ifndef RUNNEL_HOST_PUSH_GRAFANA_VALUE_H_
#define RUNNEL_HOST_PUSH_GRAFANA_VALUE_H_

#include <string>

#include "push/line_protocol.h"
#include "runnel/frame.h"

namespace runnel::host {

struct GrafanaValue {
  FieldType type;      // the column type this value asks for
  Field::Value value;  // monostate for null
};

GrafanaValue ToGrafanaValue(const FieldValue& value);

// The value as Go's fmt "%v" prints the parsed Go value, which is what
// Grafana stores when a value meets a string column of an earlier line:
// shortest round-trip floats, with an exponent below 1e-4 and from 1e6 up
// ("1e+06", "1.5e-07").
std::string GoValueString(const FieldValue& value);

}  // namespace runnel::host

#endif  // RUNNEL_HOST_PUSH_GRAFANA_VALUE_H_

// arrow_sample_writer: writes runnel::FrameToArrow's bytes of one sample
// frame to stdout, for tests/e2e/arrow.test.mjs, which reads them with the
// apache-arrow npm package (an Arrow implementation independent of the
// SDK's) as Grafana's frontend and Go SDK would. The frame: name "sample",
// refId "A", meta with a channel, fields Time (time), Value (float64,
// labels {"host":"a"}, nullable with a null in row 1) and Name (string).
#include <cstdio>
#include <string>

#include "runnel/frame.h"
#include "runnel/frame_arrow.h"
#include "runnel/frame_meta.h"

int main() {
  runnel::Frame frame("sample");
  frame.set_ref_id("A");
  runnel::FrameMeta meta;
  meta.channel = "ds/testdata/random-20Hz-stream";
  runnel::SetFrameMeta(frame, meta);
  frame.AddField("Time", runnel::FieldType::kTime);
  frame.AddField("Value", runnel::FieldType::kFloat64, /*nullable=*/true,
                 {{"host", "a"}});
  frame.AddField("Name", runnel::FieldType::kString);
  auto& fields = frame.fields();
  fields[0].AppendTime(runnel::Timestamp{1'700'000'000'000'000'000});
  fields[0].AppendTime(runnel::Timestamp{1'700'000'001'000'000'000});
  fields[1].AppendFloat64(1.5);
  fields[1].AppendNull();
  fields[2].AppendString("x");
  fields[2].AppendString("y");
  std::string bytes;
  runnel::Status encoded = runnel::FrameToArrow(frame, &bytes);
  if (!encoded.ok()) {
    std::fprintf(stderr, "FrameToArrow: %s\n", encoded.message().c_str());
    return 1;
  }
  return std::fwrite(bytes.data(), 1, bytes.size(), stdout) == bytes.size() ? 0
                                                                            : 1;
}

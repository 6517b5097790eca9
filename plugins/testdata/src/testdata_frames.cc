#include "testdata_frames.h"

namespace runnel::testdata {

using runnel::FieldType;
using runnel::Frame;

Frame TestdataFrame() {
  Frame frame("testdata");
  frame.AddField("Time", FieldType::kTime);
  frame.AddField("Value", FieldType::kFloat64);
  frame.AddField("Min", FieldType::kFloat64);
  frame.AddField("Max", FieldType::kFloat64);
  return frame;
}

Frame LabeledFrame() {
  Frame frame("labeled");
  frame.AddField("labels", FieldType::kString);
  frame.AddField("Time", FieldType::kTime);
  frame.AddField("Value", FieldType::kFloat64);
  return frame;
}

Frame BenchFrame() {
  Frame frame("bench");
  frame.AddField("Time", FieldType::kTime);
  frame.AddField("Value", FieldType::kFloat64);
  frame.AddField("sent_ns", FieldType::kInt64);
  return frame;
}

Frame FrameFor(StreamKind kind) {
  switch (kind) {
    case StreamKind::kLabeled:
      return LabeledFrame();
    case StreamKind::kBench:
      return BenchFrame();
    case StreamKind::kTestdata:
      break;
  }
  return TestdataFrame();
}

}  // namespace runnel::testdata

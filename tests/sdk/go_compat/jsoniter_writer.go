// Prints what jsoniter (standard-library mode, as the Grafana plugin SDK's
// frame encoder uses it) writes for each input line: "f <float64 bits>" via
// Stream.WriteFloat64, "s <hex bytes>" via Stream.WriteString. Output: one
// hex line per input line. Built offline from Debian's
// golang-github-json-iterator-go-dev (GOPATH mode).
package main

import (
	"bufio"
	"encoding/hex"
	"fmt"
	"math"
	"os"
	"strconv"

	jsoniter "github.com/json-iterator/go"
)

func main() {
	cfg := jsoniter.ConfigCompatibleWithStandardLibrary
	in := bufio.NewScanner(os.Stdin)
	in.Buffer(make([]byte, 1<<20), 1<<20)
	out := bufio.NewWriter(os.Stdout)
	defer out.Flush()
	for in.Scan() {
		line := in.Text()
		stream := cfg.BorrowStream(nil)
		switch line[0] {
		case 'f':
			bits, err := strconv.ParseUint(line[2:], 10, 64)
			if err != nil {
				panic(err)
			}
			stream.WriteFloat64(math.Float64frombits(bits))
		case 's':
			b, err := hex.DecodeString(line[2:])
			if err != nil {
				panic(err)
			}
			stream.WriteString(string(b))
		}
		fmt.Fprintf(out, "%s\n", hex.EncodeToString(stream.Buffer()))
		cfg.ReturnStream(stream)
	}
}

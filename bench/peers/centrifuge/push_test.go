package main

import (
	"testing"
	"time"

	"github.com/influxdata/influxdb1-client/models"
)

func TestConvertLabelsColumn(t *testing.T) {
	models.EnableUintSupport()
	body := "bench,region=r1,host=a load=0.5,bytes=10i 1700000000123000000\n" +
		"bench,host=b load=-1e300,name=\"x\\\"y\",extra=2u 1700000000124000001\n" +
		"cpu usage=1 1700000000000000000\n"
	points, err := models.ParsePointsWithPrecision([]byte(body), time.Now(), "n")
	if err != nil {
		t.Fatal(err)
	}
	frames, err := convertLabelsColumn(points)
	if err != nil {
		t.Fatal(err)
	}
	if len(frames) != 2 || frames[0].name != "bench" || frames[1].name != "cpu" {
		t.Fatalf("frames %+v", frames)
	}
	schema := string(frames[0].appendSchema(nil))
	wantSchema := `{"name":"bench","fields":[` +
		`{"name":"labels","type":"string","typeInfo":{"frame":"string"}},` +
		`{"name":"time","type":"time","typeInfo":{"frame":"time.Time"}},` +
		`{"name":"bytes","type":"number","typeInfo":{"frame":"float64","nullable":true}},` +
		`{"name":"load","type":"number","typeInfo":{"frame":"float64","nullable":true}},` +
		`{"name":"extra","type":"number","typeInfo":{"frame":"float64","nullable":true}},` +
		`{"name":"name","type":"string","typeInfo":{"frame":"string","nullable":true}}]}`
	if schema != wantSchema {
		t.Errorf("schema\n got %s\nwant %s", schema, wantSchema)
	}
	data := string(frames[0].appendData(nil))
	wantData := `{"values":[["host=a, region=r1","host=b"],[1700000000123,1700000000124],` +
		`[10,null],[0.5,-1e+300],[null,2],[null,"x\"y"]],"nanos":[null,[0,1],null,null,null,null]}`
	if data != wantData {
		t.Errorf("data\n got %s\nwant %s", data, wantData)
	}
}

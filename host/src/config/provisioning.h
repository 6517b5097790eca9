// Data source provisioning: reads <provisioning>/datasources/*.yaml (and
// *.yml) in Grafana's format:
//
//   apiVersion: 1
//   datasources:
//     - name: TestData
//       type: testdata            # plugin id or alias
//       uid: testdata
//       url: ..., user: ..., database: ..., basicAuth: ..., basicAuthUser:
//       isDefault: true
//       jsonData: {...}           # any map, kept as JSON text
//       secureJsonData: {...}     # string → string
//   deleteDatasources: [...]     # accepted and ignored (nothing is stored)
//
// Files are read in name order; ids are 1-based in that order. A data source
// without a uid gets one derived from its name (lower-case, characters
// outside [a-z0-9_-] become '-', at most 40), so it is stable across runs.
// Errors name the file and line: a YAML syntax error, excessive aliasing
// (see yaml_limits.h), a missing name or type, an invalid uid, a duplicate
// uid or name, more than one isDefault.
// A missing datasources folder means no data sources.
//
// Thread-safety: pure functions.
#ifndef RUNNEL_HOST_CONFIG_PROVISIONING_H_
#define RUNNEL_HOST_CONFIG_PROVISIONING_H_

#include <functional>
#include <string>
#include <vector>

#include "config/datasource.h"
#include "runnel/status.h"

namespace runnel::host {

// Loads every data source under `provisioning_dir`/datasources.
Status LoadDataSources(const std::string& provisioning_dir,
                       std::vector<DataSource>* out);

// Parses one file's text (file_name is used in messages) and appends its
// data sources to *out, checking uniqueness against what *out holds.
Status ParseDataSourcesYaml(const std::string& text,
                            const std::string& file_name,
                            std::vector<DataSource>* out);

// Checks that every data source's type names a discovered plugin.
// `resolves(type)` answers whether a plugin id or alias exists. The error
// names the data source's file and line: "<file>:<line>: data source
// 'TestData' has type 'nope', which is not an installed plugin (have: a, b)".
Status CheckDataSourceTypes(
    const std::vector<DataSource>& sources,
    const std::function<bool(const std::string&)>& resolves,
    const std::vector<std::string>& known_plugin_ids);

}  // namespace runnel::host

#endif  // RUNNEL_HOST_CONFIG_PROVISIONING_H_

// Reads a gateway's PROXY_CONFIG value the way pilot-agent does (mesh.ApplyProxyConfig over Istio's
// defaults, as pilot/cmd/pilot-agent/config.ConstructProxyConfig) with the pinned Istio's own code,
// and prints the connection settings istiod builds the gateway's listeners from. A key Istio does
// not know is dropped without an error, so only its parser can tell a setting took effect.
//
//	go run . '<PROXY_CONFIG value>'
package main

import (
	"fmt"
	"os"

	"istio.io/istio/pkg/config/mesh"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: proxy-config '<PROXY_CONFIG value>'")
		os.Exit(2)
	}
	mc, err := mesh.ApplyProxyConfig(os.Args[1], mesh.DefaultMeshConfig())
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	cs := mc.GetDefaultConfig().GetConnectionSettings()
	fmt.Printf("profile=%s httpHeadersWithUnderscoresAction=%s\n", cs.GetProfile(), cs.GetHttpHeadersWithUnderscoresAction())
}

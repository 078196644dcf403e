// flux-apply applies microflow's Flux layout to a cluster the way Flux's kustomize-controller does,
// with Flux's own apply engine (github.com/fluxcd/pkg/ssa): for each Kustomization in dependsOn
// order it builds spec.path with kustomize (load restrictions off, as the controller builds),
// labels the objects with the owner labels, applies them staged (CRDs, ClusterRoles and Namespaces
// first, then the rest), waits for them when spec.wait is set, and prunes what left its inventory,
// skipping objects annotated kustomize.toolkit.fluxcd.io/prune=disabled, as the controller does.
//
//	flux-apply -repo DIR -flux DIR -inventory FILE [-remove a,b] [-timeout 3m]
//
// DIR -repo stands for the Git checkout (spec.path is relative to it). The inventory file plays the
// role of the Kustomizations' status.inventory between runs. -remove simulates deleting those
// Kustomizations from Git (with prune: true): their whole inventory is garbage-collected.
// Prints one JSON report on stdout.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/fluxcd/cli-utils/pkg/kstatus/polling"
	"github.com/fluxcd/cli-utils/pkg/object"
	"github.com/fluxcd/pkg/ssa"
	"github.com/fluxcd/pkg/ssa/utils"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/apiutil"
	"sigs.k8s.io/kustomize/api/krusty"
	kustypes "sigs.k8s.io/kustomize/api/types"
	"sigs.k8s.io/kustomize/kyaml/filesys"
	"sigs.k8s.io/yaml"
)

const (
	ownerGroup   = "kustomize.toolkit.fluxcd.io"
	pruneKey     = ownerGroup + "/prune"
	pruneDisable = "disabled"
	fieldManager = "kustomize-controller"
)

type kustomization struct {
	Metadata struct {
		Name      string `json:"name"`
		Namespace string `json:"namespace"`
	} `json:"metadata"`
	APIVersion string `json:"apiVersion"`
	Kind       string `json:"kind"`
	Spec       struct {
		Path      string `json:"path"`
		Prune     bool   `json:"prune"`
		Wait      bool   `json:"wait"`
		Timeout   string `json:"timeout"`
		DependsOn []struct {
			Name string `json:"name"`
		} `json:"dependsOn"`
	} `json:"spec"`
}

type result struct {
	Name    string            `json:"name"`
	Objects int               `json:"objects"`
	Actions map[string]int    `json:"actions"`
	Changed []string          `json:"changed"`
	Pruned  []string          `json:"pruned"`
	Skipped []string          `json:"skippedPrune"`
	Waited  bool              `json:"waited"`
	Removed bool              `json:"removed"`
	Error   string            `json:"error,omitempty"`
	Meta    map[string]string `json:"-"`
}

func main() {
	repo := flag.String("repo", ".", "folder standing for the Git checkout")
	fluxDir := flag.String("flux", "", "folder with the rendered Flux Kustomizations")
	invFile := flag.String("inventory", "", "inventory file carried between runs")
	remove := flag.String("remove", "", "comma-separated Kustomizations to treat as deleted from Git")
	timeout := flag.Duration("timeout", 3*time.Minute, "wait timeout per Kustomization when spec.wait is set")
	flag.Parse()
	if err := run(*repo, *fluxDir, *invFile, *remove, *timeout); err != nil {
		fmt.Fprintln(os.Stderr, "flux-apply:", err)
		os.Exit(1)
	}
}

func run(repo, fluxDir, invFile, remove string, timeout time.Duration) error {
	ks, err := readKustomizations(fluxDir)
	if err != nil {
		return err
	}
	order, err := dependencyOrder(ks)
	if err != nil {
		return err
	}
	inventory := map[string][]string{}
	if b, err := os.ReadFile(invFile); err == nil {
		if err := json.Unmarshal(b, &inventory); err != nil {
			return fmt.Errorf("inventory %s: %w", invFile, err)
		}
	}
	removed := map[string]bool{}
	for _, n := range strings.Split(remove, ",") {
		if n != "" {
			removed[n] = true
		}
	}

	cfg, err := clientcmd.BuildConfigFromFlags("", os.Getenv("KUBECONFIG"))
	if err != nil {
		return err
	}
	manager, err := newManager(cfg)
	if err != nil {
		return err
	}
	ctx := context.Background()
	var results []result
	failed := false
	// Garbage collection of removed Kustomizations runs in reverse dependency order, as Flux's
	// finalizers would when the objects are deleted from Git together.
	for i := len(order) - 1; i >= 0; i-- {
		k := order[i]
		if !removed[k.Metadata.Name] {
			continue
		}
		r := result{Name: k.Metadata.Name, Removed: true, Actions: map[string]int{}}
		r.Pruned, r.Skipped, err = prune(ctx, manager, inventory[k.Metadata.Name], nil, k.Spec.Prune)
		if err != nil {
			r.Error = err.Error()
			failed = true
		}
		delete(inventory, k.Metadata.Name)
		results = append(results, r)
	}
	for _, k := range order {
		if removed[k.Metadata.Name] {
			continue
		}
		r, entries, err := reconcile(ctx, manager, repo, k, inventory[k.Metadata.Name], timeout)
		if err != nil {
			r.Error = err.Error()
			failed = true
			results = append(results, r)
			break // dependents would not be reconciled while this one is not Ready
		}
		inventory[k.Metadata.Name] = entries
		results = append(results, r)
	}
	if invFile != "" {
		b, _ := json.MarshalIndent(inventory, "", "  ")
		if err := os.WriteFile(invFile, b, 0o600); err != nil {
			return err
		}
	}
	out, _ := json.MarshalIndent(results, "", "  ")
	fmt.Println(string(out))
	if failed {
		return fmt.Errorf("at least one Kustomization failed")
	}
	return nil
}

func newManager(cfg *rest.Config) (*ssa.ResourceManager, error) {
	httpClient, err := rest.HTTPClientFor(cfg)
	if err != nil {
		return nil, err
	}
	mapper, err := apiutil.NewDynamicRESTMapper(cfg, httpClient)
	if err != nil {
		return nil, err
	}
	c, err := client.New(cfg, client.Options{Mapper: mapper})
	if err != nil {
		return nil, err
	}
	poller := polling.NewStatusPoller(c, mapper, polling.Options{})
	return ssa.NewResourceManager(c, poller, ssa.Owner{Field: fieldManager, Group: ownerGroup}), nil
}

func readKustomizations(dir string) ([]kustomization, error) {
	files, err := filepath.Glob(filepath.Join(dir, "*.yaml"))
	if err != nil {
		return nil, err
	}
	var ks []kustomization
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			return nil, err
		}
		for _, doc := range strings.Split(string(b), "\n---") {
			var k kustomization
			if err := yaml.Unmarshal([]byte(doc), &k); err != nil {
				return nil, fmt.Errorf("%s: %w", f, err)
			}
			if k.Kind == "Kustomization" && strings.HasPrefix(k.APIVersion, ownerGroup+"/") {
				ks = append(ks, k)
			}
		}
	}
	if len(ks) == 0 {
		return nil, fmt.Errorf("no Kustomization in %s", dir)
	}
	return ks, nil
}

// dependencyOrder sorts Kustomizations so that each comes after everything it dependsOn.
func dependencyOrder(ks []kustomization) ([]kustomization, error) {
	byName := map[string]kustomization{}
	for _, k := range ks {
		byName[k.Metadata.Name] = k
	}
	var order []kustomization
	state := map[string]int{}
	var visit func(string, []string) error
	visit = func(n string, path []string) error {
		k, ok := byName[n]
		if !ok {
			return fmt.Errorf("%s depends on %s, which does not exist", path[len(path)-1], n)
		}
		switch state[n] {
		case 1:
			return fmt.Errorf("dependency cycle: %s", strings.Join(append(path, n), " -> "))
		case 2:
			return nil
		}
		state[n] = 1
		for _, d := range k.Spec.DependsOn {
			if err := visit(d.Name, append(path, n)); err != nil {
				return err
			}
		}
		state[n] = 2
		order = append(order, k)
		return nil
	}
	names := make([]string, 0, len(ks))
	for _, k := range ks {
		names = append(names, k.Metadata.Name)
	}
	sort.Strings(names)
	for _, n := range names {
		if err := visit(n, []string{n}); err != nil {
			return nil, err
		}
	}
	return order, nil
}

func build(repo, path string) ([]*unstructured.Unstructured, error) {
	k := krusty.MakeKustomizer(&krusty.Options{LoadRestrictions: kustypes.LoadRestrictionsNone, PluginConfig: kustypes.DisabledPluginConfig()})
	resMap, err := k.Run(filesys.MakeFsOnDisk(), filepath.Join(repo, path))
	if err != nil {
		return nil, fmt.Errorf("kustomize build %s: %w", path, err)
	}
	b, err := resMap.AsYaml()
	if err != nil {
		return nil, err
	}
	return utils.ReadObjects(strings.NewReader(string(b)))
}

func reconcile(ctx context.Context, m *ssa.ResourceManager, repo string, k kustomization, old []string, timeout time.Duration) (result, []string, error) {
	r := result{Name: k.Metadata.Name, Actions: map[string]int{}}
	objects, err := build(repo, k.Spec.Path)
	if err != nil {
		return r, nil, err
	}
	r.Objects = len(objects)
	m.SetOwnerLabels(objects, k.Metadata.Name, k.Metadata.Namespace)
	opts := ssa.DefaultApplyOptions()
	opts.WaitTimeout = timeout
	cs, err := m.ApplyAllStaged(ctx, objects, opts)
	if cs != nil {
		for _, e := range cs.Entries {
			r.Actions[string(e.Action)]++
			if e.Action != ssa.UnchangedAction {
				r.Changed = append(r.Changed, e.String())
			}
		}
	}
	if err != nil {
		return r, nil, err
	}
	if k.Spec.Wait {
		if err := m.WaitForSet(cs.ToObjMetadataSet(), ssa.WaitOptions{Interval: 2 * time.Second, Timeout: timeout}); err != nil {
			return r, nil, fmt.Errorf("health check: %w", err)
		}
		r.Waited = true
	}
	entries := make([]string, 0, len(cs.Entries))
	current := map[string]bool{}
	for _, e := range cs.Entries {
		id := e.ObjMetadata.String()
		entries = append(entries, id)
		current[id] = true
	}
	r.Pruned, r.Skipped, err = prune(ctx, m, old, current, k.Spec.Prune)
	return r, entries, err
}

// prune deletes the objects of the old inventory that are not in the current one, as Flux's
// garbage collection does: only objects still carrying this owner's labels, never one annotated
// kustomize.toolkit.fluxcd.io/prune=disabled.
func prune(ctx context.Context, m *ssa.ResourceManager, old []string, current map[string]bool, enabled bool) (pruned, skipped []string, err error) {
	if !enabled {
		return nil, nil, nil
	}
	var stale []*unstructured.Unstructured
	for _, id := range old {
		if current[id] {
			continue
		}
		meta, err := object.ParseObjMetadata(id)
		if err != nil {
			return nil, nil, fmt.Errorf("inventory entry %q: %w", id, err)
		}
		u := &unstructured.Unstructured{}
		u.SetGroupVersionKind(meta.GroupKind.WithVersion(""))
		u.SetName(meta.Name)
		u.SetNamespace(meta.Namespace)
		stale = append(stale, u)
	}
	if len(stale) == 0 {
		return nil, nil, nil
	}
	// The REST mapper needs a version: resolve the preferred one for each kind.
	for _, u := range stale {
		gk := u.GroupVersionKind().GroupKind()
		mapping, err := m.Client().RESTMapper().RESTMapping(gk)
		if err != nil {
			return nil, nil, fmt.Errorf("%s: %w", gk, err)
		}
		u.SetGroupVersionKind(mapping.GroupVersionKind)
	}
	opts := ssa.DefaultDeleteOptions()
	opts.Exclusions = map[string]string{pruneKey: pruneDisable}
	cs, err := m.DeleteAll(ctx, stale, opts)
	if cs != nil {
		for _, e := range cs.Entries {
			if e.Action == ssa.DeletedAction {
				pruned = append(pruned, e.Subject)
			} else {
				skipped = append(skipped, e.String())
			}
		}
	}
	return pruned, skipped, err
}

"""Two steps, the second on a GPU: the pipeline microflow's docs/pipelines.md shows and its tests compile.

GPU_PRODUCT=<gpu.product of your configuration> when compiling keeps the GPU step on that GPU model,
as the platform's own GPU workloads are; unset, any GPU node will do. Node selectors are fixed when
the pipeline is compiled, so this is read then, not when the run starts.
"""
import os

from kfp import compiler, dsl, kubernetes

GPU_PRODUCT = os.environ.get("GPU_PRODUCT", "")


@dsl.component(base_image="python:3.12-slim")
def make_numbers(count: int) -> str:
    return ",".join(str(i) for i in range(count))


@dsl.component(base_image="pytorch/pytorch:2.7.1-cuda12.6-cudnn9-runtime")
def total_on_gpu(numbers: str) -> float:
    import torch

    device = "cuda" if torch.cuda.is_available() else "cpu"
    values = torch.tensor([float(x) for x in numbers.split(",")], device=device)
    print(f"summing {len(values)} numbers on {device}")
    return float(values.sum())


@dsl.pipeline(name="gpu-demo")
def gpu_demo(count: int = 1000):
    numbers = make_numbers(count=count)
    total = total_on_gpu(numbers=numbers.output)
    # One whole GPU, on a node the GPU operator labelled, tolerating the GPU pool's taint.
    total.set_accelerator_type("nvidia.com/gpu").set_accelerator_limit(1)
    kubernetes.add_node_selector(total, label_key="nvidia.com/gpu.present", label_value="true")
    if GPU_PRODUCT:
        kubernetes.add_node_selector(total, label_key="nvidia.com/gpu.product", label_value=GPU_PRODUCT)
    kubernetes.add_toleration(total, key="nvidia.com/gpu", operator="Exists", effect="NoSchedule")


if __name__ == "__main__":
    compiler.Compiler().compile(gpu_demo, "gpu_demo.yaml")
